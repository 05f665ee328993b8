"""Mutation testing for sgfund's money path: change the code one small way, run its tests.

A mutant is the module with one change: a comparison flipped (``<`` for ``<=``, ``==`` for
``!=``, ``is`` for ``is not``, ``in`` for ``not in``), ``+`` for ``-`` or ``*`` for ``/``, ``and``
for ``or``, a ``not`` dropped, a number moved by one, ``True`` for ``False``, a rounding mode
swapped, or a statement that records a finding dropped (``reasons.append(...)``,
``reasons += ...``). The module's tests (named in ``tools/mutation.toml``) are run against each
mutant: a failing test *kills* it, a passing run means it *survived*, so either the tests miss
a change a user would notice, or the mutant is *equivalent* (it behaves exactly as the
original). Equivalent mutants are listed with why in the toml and left out of the score.

Run from the checkout (nothing is installed or written in it; mutants live in a temporary copy
of ``src``)::

    python tools/mutation.py                      # every module in tools/mutation.toml
    python tools/mutation.py money.py totals.py   # some of them
    python tools/mutation.py --list money.py      # the mutants, without running anything
    python tools/mutation.py --jobs 2 --json out.json

Exit status 0 when every module reaches its goal, 1 when one does not. The tests run in forked
children of a process that has already imported pytest, hypothesis and sgfund's third-party
dependencies, so each mutant costs about one test run, not one interpreter start.
"""

from __future__ import annotations

import argparse
import ast
import copy
import itertools
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tools" / "mutation.toml"

# Operators swapped for their nearest wrong neighbour.
COMPARE = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
BINARY = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
}
BOOLEAN = {ast.And: ast.Or, ast.Or: ast.And}
NAMES = {
    "ROUND_HALF_UP": "ROUND_HALF_EVEN",
    "ROUND_HALF_EVEN": "ROUND_HALF_UP",
    "ROUND_DOWN": "ROUND_UP",
    "ROUND_UP": "ROUND_DOWN",
    "min": "max",
    "max": "min",
    "any": "all",
    "all": "any",
}
# Calls whose statement records something (a reason, a problem, a finding): dropping one is
# the mutant "this refusal reason was deleted".
RECORDING = {"append", "extend", "add"}
SYMBOLS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    """One change to one module, named so the name survives edits elsewhere in the file."""

    module: str
    index: int  # position of the node in ast.walk order, to find it again
    slot: int  # which operand or operator of that node
    kind: str
    line: int
    function: str
    before: str
    after: str
    id: str = ""


@dataclass
class Result:
    """A mutant and what its tests made of it."""

    mutant: Mutant
    status: str  # killed, survived, timeout, equivalent, error
    seconds: float
    reason: str = ""


@dataclass
class ModuleConfig:
    """A module to mutate, the tests that should kill its mutants, and its goal."""

    path: str
    tests: list[str]
    goal: float = 0.9
    equivalent: dict[str, str] = field(default_factory=dict)
    refusal_functions: list[str] = field(default_factory=list)


# --- finding mutants ------------------------------------------------------------------------


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """Docstrings, annotations, ``__all__`` and ``# pragma: no mutate`` lines: never mutated."""
    skip: set[int] = set()

    def cover(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            cover(body[0])
        if isinstance(node, ast.AnnAssign):
            cover(node.annotation)
        if isinstance(node, ast.arg):
            cover(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            cover(node.returns)
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            cover(node)
    return skip


def _functions(tree: ast.Module) -> dict[int, str]:
    """Each node's enclosing function or class, as a dotted name (``<module>`` at the top)."""
    owner: dict[int, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = name
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = child.name if name == "<module>" else f"{name}.{child.name}"
            owner[id(child)] = inner
            visit(child, inner)

    visit(tree, "<module>")
    return owner


def _segment(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    return " ".join(text.split())


def _listed(value: ast.expr | None) -> bool:
    """A non-empty list literal, or one chosen by a conditional expression."""
    if isinstance(value, ast.IfExp):
        return _listed(value.body) or _listed(value.orelse)
    return isinstance(value, ast.List) and bool(value.elts)


def _changes(node: ast.AST) -> Iterator[tuple[int, str, ast.AST]]:
    """Every (slot, kind, replacement node) for one node; the node itself is not changed."""
    if isinstance(node, ast.Compare):
        for slot, op in enumerate(node.ops):
            if type(op) in COMPARE:
                new = copy.deepcopy(node)
                new.ops[slot] = COMPARE[type(op)]()
                yield slot, "compare", new
    elif isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        new = copy.deepcopy(node)
        new.op = BINARY[type(node.op)]()
        yield 0, "arithmetic", new
    elif isinstance(node, ast.AugAssign) and type(node.op) in BINARY:
        new = copy.deepcopy(node)
        new.op = BINARY[type(node.op)]()
        yield 0, "arithmetic", new
        yield 1, "drop statement", ast.Pass()
    elif isinstance(node, ast.BoolOp):
        new = copy.deepcopy(node)
        new.op = BOOLEAN[type(node.op)]()
        yield 0, "boolean", new
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        yield 0, "drop unary", copy.deepcopy(node.operand)
    elif isinstance(node, ast.Constant) and not isinstance(node.value, str):
        value = node.value
        if isinstance(value, bool):
            yield 0, "constant", ast.Constant(not value)
        elif isinstance(value, int):
            yield 0, "constant", ast.Constant(value + 1)
            if value != 0:
                yield 1, "constant", ast.Constant(value - 1)
    elif isinstance(node, ast.Name) and node.id in NAMES and isinstance(node.ctx, ast.Load):
        other = NAMES[node.id]
        # decimal's rounding modes are their own names as text; the module may not import both.
        swapped = ast.Constant(other) if other.startswith("ROUND_") else ast.Name(other, ast.Load())
        yield 0, "name", swapped
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        if NUMBER.fullmatch(node.value):
            yield 0, "constant", ast.Constant(_next_number(node.value))
    elif isinstance(node, ast.Return) and _listed(node.value):
        # ``return [reason]`` (or ``[reason] if x else []``) -> ``return []``: reason dropped.
        yield 0, "drop statement", ast.Return(ast.List([], ast.Load()))
    elif (
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.ListComp)
        and [ast.unparse(t) for t in node.targets] == ["reasons"]
    ):
        # ``reasons = [f"..." for ...]`` -> ``reasons = []``
        new = ast.Assign(node.targets, ast.List([], ast.Load()), lineno=node.lineno)
        yield 0, "drop statement", new
    elif isinstance(node, ast.Raise) and node.exc is not None:
        yield 0, "drop raise", ast.Pass()
    elif (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr in RECORDING
    ):
        yield 0, "drop statement", ast.Pass()


NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _next_number(text: str) -> str:
    """``"0.01"`` -> ``"0.02"``: the number one step up in its last place."""
    value = Decimal(text)
    step = Decimal(1).scaleb(value.as_tuple().exponent)  # type: ignore[arg-type]
    return str(value + step)


def _unparse_change(source: str, node: ast.AST, new: ast.AST) -> tuple[str, str]:
    before = _segment(source, node)
    after = "pass" if isinstance(new, ast.Pass) else " ".join(ast.unparse(new).split())
    return before, after


def find_mutants(module: str, source: str) -> list[Mutant]:
    """Every mutant of ``source``, each with a readable id: ``function: `before` -> `after```."""
    tree = ast.parse(source)
    skip = _skipped_nodes(tree)
    owner = _functions(tree)
    found: list[Mutant] = []
    seen: Counter[str] = Counter()
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        for slot, kind, new in _changes(node):
            before, after = _unparse_change(source, node, new)
            if before == after:
                continue
            function = owner.get(id(node), "<module>")
            name = f"{function}: `{before}` -> `{after}`"
            seen[name] += 1
            mutant_id = name if seen[name] == 1 else f"{name} #{seen[name]}"
            found.append(
                Mutant(
                    module=module,
                    index=index,
                    slot=slot,
                    kind=kind,
                    line=getattr(node, "lineno", 0),
                    function=function,
                    before=before,
                    after=after,
                    id=mutant_id,
                )
            )
    return found


def _pragma_lines(source: str) -> set[int]:
    return {n for n, line in enumerate(source.splitlines(), 1) if "pragma: no mutate" in line}


def mutated_source(source: str, mutant: Mutant) -> str:
    """``source`` with ``mutant`` applied."""
    tree = ast.parse(source)
    nodes = list(ast.walk(tree))
    target = nodes[mutant.index]
    replacement = next(new for slot, _, new in _changes(target) if slot == mutant.slot)
    for parent in nodes:
        for name, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, name, replacement)
                break
            if isinstance(value, list) and any(item is target for item in value):
                value[next(i for i, item in enumerate(value) if item is target)] = replacement
                break
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


# --- running them ---------------------------------------------------------------------------


def _prepare(workdir: Path) -> Path:
    """A copy of ``src`` for mutants, imported instead of the checkout's."""
    src = workdir / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
    return src


def _warm(src: Path) -> None:
    """Import sgfund's third-party dependencies once, then forget sgfund itself."""
    sys.path.insert(0, str(src))
    import pytest  # noqa: F401

    import sgfund
    import sgfund.closure
    import sgfund.io.threesixtygiving
    import sgfund.ledger
    import sgfund.testing.pytest_plugin  # noqa: F401

    for name in list(sys.modules):
        if name.split(".")[0] in {"sgfund", "sgfund_westyorkshire"}:
            del sys.modules[name]


def _run_tests(tests: list[str]) -> int:
    """In a forked child: run ``tests`` quietly, return pytest's exit code."""
    import pytest
    from hypothesis import Phase, settings

    # A mutant is killed by the first failing example: no shrinking, no example database.
    settings.register_profile(
        "mutation",
        max_examples=30,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    settings.load_profile("mutation")
    os.environ["SGFUND_HYPOTHESIS_PROFILE"] = ""
    if not os.environ.get("SGFUND_MUTATION_VERBOSE"):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    args = [
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "--no-header",
        # pytest, hypothesis and their plugins are imported before each run, on purpose.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        *tests,
    ]
    return int(pytest.main(args))


# Each write into a copy of src gets its own modification time, so Python never takes a
# cached .pyc of the original for a mutant (or of a mutant for the original): .pyc files are
# checked against the source's whole-second mtime and size, and a mutant can match both.
_WRITES = itertools.count(1)


def _stamp(path: Path) -> None:
    moment = 1_600_000_000 + next(_WRITES)
    os.utime(path, (moment, moment))


def _start(src: Path, mutant: Mutant, source: str, tests: list[str]) -> int:
    """Fork a child that writes the mutant into ``src`` and runs the tests; its pid."""
    moment = 1_600_000_000 + next(_WRITES)  # taken here, so the parent never reuses it
    pid = os.fork()
    if pid == 0:  # the child
        code = 3
        try:
            os.setpgid(0, 0)
            sys.path[0] = str(src)
            target = src / mutant.module
            target.write_text(mutated_source(source, mutant), encoding="utf-8")
            os.utime(target, (moment, moment))
            os.chdir(ROOT)
            code = _run_tests(tests)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 99
        finally:
            os._exit(code)
    return pid


def _status(code: int) -> str:
    # pytest: 0 all passed, 1 a test failed, 2 interrupted (an error at collection), 3 internal
    # error, 4 usage error: a mutant that breaks importing sgfund breaks loading its pytest
    # plugin, which pytest reports as 3 or 4. Since the unmutated tests pass, any of these is
    # the mutant's doing: killed. 5 is nothing collected, 99 this script failing: errors.
    return {0: "survived", 1: "killed", 2: "killed", 3: "killed", 4: "killed"}.get(code, "error")


def run_module(
    config: ModuleConfig,
    mutants: list[Mutant],
    *,
    jobs: int,
    timeout: float,
    workdir: Path,
    progress: bool,
) -> list[Result]:
    """Run every mutant of one module, ``jobs`` at a time, each in its own copy of ``src``."""
    source = (ROOT / "src" / config.path).read_text(encoding="utf-8")
    pragma = _pragma_lines(source)
    copies = [workdir / f"job{j}" / "src" for j in range(jobs)]
    free = list(range(jobs))
    running: dict[int, tuple[int, Mutant, float]] = {}
    results: list[Result] = []
    queue = []
    for mutant in mutants:
        if mutant.line in pragma:
            continue
        if mutant.id in config.equivalent:
            results.append(Result(mutant, "equivalent", 0.0, config.equivalent[mutant.id]))
        else:
            queue.append(mutant)
    total = len(queue)
    done = 0

    def finish(pid: int, code: int) -> None:
        nonlocal done
        job, mutant, started = running.pop(pid)
        # Put the original module back in that job's copy for the next mutant.
        shutil.copyfile(ROOT / "src" / config.path, copies[job] / config.path)
        _stamp(copies[job] / config.path)
        free.append(job)
        status = "timeout" if code == -1 else _status(code)
        reason = f"pytest exit code {code}" if status == "error" else ""
        results.append(Result(mutant, status, time.monotonic() - started, reason))
        done += 1
        if progress:
            mark = {"killed": ".", "timeout": "T", "survived": "S"}.get(status, "E")
            print(mark, end="" if done % 60 else f" {done}/{total}\n", flush=True)

    try:
        _loop(queue, running, free, copies, config, source, timeout, finish)
    finally:
        for child in running:  # interrupted: take the children down too
            os.killpg(child, signal.SIGKILL)
    if progress:
        print()
    return sorted(results, key=lambda r: (r.mutant.line, r.mutant.id))


def _loop(
    queue: list[Mutant],
    running: dict[int, tuple[int, Mutant, float]],
    free: list[int],
    copies: list[Path],
    config: ModuleConfig,
    source: str,
    timeout: float,
    finish: Any,
) -> None:
    while queue or running:
        while queue and free:
            job = free.pop()
            mutant = queue.pop(0)
            pid = _start(copies[job], mutant, source, config.tests)
            running[pid] = (job, mutant, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for child, (_, _, started) in list(running.items()):
                if now - started > timeout:
                    os.killpg(child, signal.SIGKILL)
                    os.waitpid(child, 0)
                    finish(child, -1)
            time.sleep(0.02)
            continue
        if pid in running:
            finish(pid, os.waitstatus_to_exitcode(status))


# --- reporting ------------------------------------------------------------------------------


def _is_refusal(config: ModuleConfig, mutant: Mutant) -> bool:
    """A dropped statement that records a refusal reason (``reasons.append(...)``, ``return
    [f"..."]``) in one of the module's ``refusal_functions``."""  # noqa: D205, D209
    return (
        mutant.function in config.refusal_functions
        and mutant.kind == "drop statement"
        and mutant.before.startswith(("reasons", "return ["))
    )


def summary(config: ModuleConfig, results: list[Result]) -> dict[str, object]:
    """Counts and the score: killed (with timeouts) out of the mutants that are not equivalent."""
    counts = Counter(r.status for r in results)
    judged = len(results) - counts["equivalent"]
    killed = counts["killed"] + counts["timeout"]
    refusal = [r for r in results if _is_refusal(config, r.mutant) and r.status != "equivalent"]
    return {
        "module": config.path,
        "mutants": len(results),
        "equivalent": counts["equivalent"],
        "killed": killed,
        "survived": counts["survived"],
        "errors": counts["error"],
        "score": round(killed / judged, 4) if judged else 1.0,
        "goal": config.goal,
        "refusal_mutants": len(refusal),
        "refusal_killed": sum(r.status in {"killed", "timeout"} for r in refusal),
    }


def load_config(path: Path = CONFIG) -> dict[str, ModuleConfig]:
    """The modules in ``tools/mutation.toml``, by path relative to ``src``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    modules = {}
    for entry in data["module"]:
        modules[entry["path"]] = ModuleConfig(
            path=entry["path"],
            tests=list(entry["tests"]),
            goal=float(entry.get("goal", data.get("goal", 0.9))),
            equivalent=dict(entry.get("equivalent", {})),
            refusal_functions=list(entry.get("refusal_functions", [])),
        )
    return modules


def _select(modules: dict[str, ModuleConfig], names: list[str]) -> list[ModuleConfig]:
    if not names:
        return list(modules.values())
    chosen = []
    for name in names:
        matches = [m for p, m in modules.items() if p == name or p.endswith("/" + name)]
        if len(matches) != 1:
            raise SystemExit(f"{name!r} is not one module of {CONFIG.name}: {sorted(modules)}")
        chosen.extend(matches)
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="paths under src/sgfund (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--only", help="run only mutants whose id contains this text")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress dots")
    args = parser.parse_args(argv)

    modules = _select(load_config(), args.modules)
    plan = {}
    for config in modules:
        source = (ROOT / "src" / config.path).read_text(encoding="utf-8")
        mutants = find_mutants(config.path, source)
        if args.only:
            mutants = [m for m in mutants if args.only in m.id]
        plan[config.path] = mutants
        stale = set(config.equivalent) - {m.id for m in mutants}
        if stale and not args.only:
            print(f"{config.path}: equivalent entries that match no mutant (update the toml):")
            for name in sorted(stale):
                print(f"  {name}")
    if args.list:
        for path, mutants in plan.items():
            for m in mutants:
                print(f"{path}:{m.line}  [{m.kind}]  {m.id}")
        return 0

    # Hypothesis keeps failing examples in a database: keep the mutants' out of the checkout.
    workdir = Path(tempfile.mkdtemp(prefix="sgfund-mutation-"))
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(workdir / "hypothesis")
    os.environ.setdefault("SGFUND_HYPOTHESIS_PROFILE", "dev")
    all_results: list[Result] = []
    summaries = []
    ok = True
    try:
        for job in range(args.jobs):
            _prepare(workdir / f"job{job}")
        _warm(workdir / "job0" / "src")
        for config in modules:
            started = time.monotonic()
            print(f"{config.path}: {len(plan[config.path])} mutants; tests {config.tests}")
            results = run_module(
                config,
                plan[config.path],
                jobs=args.jobs,
                timeout=args.timeout,
                workdir=workdir,
                progress=not args.quiet,
            )
            all_results += results
            info = summary(config, results)
            info["seconds"] = round(time.monotonic() - started, 1)
            summaries.append(info)
            for r in results:
                if r.status in {"survived", "error"}:
                    print(f"  {r.status.upper():9} {config.path}:{r.mutant.line}  {r.mutant.id}")
                    if r.reason:
                        print(f"            {r.reason}")
            print(
                f"  {info['killed']} killed, {info['survived']} survived, "
                f"{info['equivalent']} equivalent, {info['errors']} errors: "
                f"score {float(info['score']):.1%} (goal {config.goal:.0%}), "
                f"{info['seconds']}s"
            )
            if info["refusal_mutants"]:
                print(
                    f"  refusal reasons dropped: {info['refusal_killed']} of "
                    f"{info['refusal_mutants']} killed"
                )
            reached = float(info["score"]) >= config.goal and (
                info["refusal_killed"] == info["refusal_mutants"]
            )
            ok = ok and reached and not info["errors"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "summaries": summaries,
                    "results": [
                        {**asdict(r.mutant), "status": r.status, "seconds": round(r.seconds, 2)}
                        | ({"reason": r.reason} if r.reason else {})
                        for r in all_results
                    ],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    print("goal reached" if ok else "goal NOT reached")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
