"""Data in and out: spreadsheets, 360Giving open data and transparency tables."""
