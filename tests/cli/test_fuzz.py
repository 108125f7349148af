"""Property tests of the CLI contract for every entry point that takes user input.

For any generated input, through the one in-process harness: the exit code is 0 or 2;
on exit 2 stderr is exactly one line; stderr never carries a control character (so a
value cannot break a message in two or drive the terminal); output is valid UTF-8
whatever the terminal's encoding; and a failed write (a full disk, simulated by
``failing_writes``) leaves no file, complete or partial, where the output would go.

CI runs ``FUZZ_EXAMPLES`` cases per entry point; ``KAPDESK_FUZZ_EXAMPLES=N`` runs more
locally, and ``KAPDESK_FUZZ_REPORT=FILE`` appends the exit-code counts as JSON lines.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapdesk.content.integration import BOOLEAN_FEATURES, DISSOCIATION_LEVELS
from kapdesk.content.model import CONDITIONS, MODALITY_IDS
from kapdesk.paths import AppPaths
from tests.cli.harness import assert_contract, failing_writes, run_cli

FUZZ_EXAMPLES = {
    "search": 300,
    "show": 250,
    "check": 300,
    "pick": 300,
    "compare": 200,
    "handout": 150,
}
_override = os.environ.get("KAPDESK_FUZZ_EXAMPLES")
COUNTS: dict[str, Counter] = {name: Counter() for name in FUZZ_EXAMPLES}


def examples(entry: str):
    """Hypothesis settings for one entry point (CI size unless overridden)."""
    return settings(
        max_examples=int(_override) if _override else FUZZ_EXAMPLES[entry],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    target = os.environ.get("KAPDESK_FUZZ_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            for entry, counts in COUNTS.items():
                if counts:
                    handle.write(json.dumps({"entry": entry, **counts}) + "\n")


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory, built_data_dir: Path) -> Path:
    """A data folder with the session's knowledge base, shared by every example."""
    target = tmp_path_factory.mktemp("fuzz-data")
    source = AppPaths(built_data_dir).kb_path
    shutil.copyfile(source, target / source.name)
    return target


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-out")


_serial = itertools.count()

# Values an attacker or a tired clinician might type; mixed with generated text.
NASTY = [
    "",
    " ",
    "\n",
    "foo\nbar",
    "\x1b]0;pwned\x07\x1b[2J",
    "\x1b[31mred",
    "\u202eevil",
    "\r\n\r\n",
    "\t",
    "\udcff",  # a byte that is not UTF-8, as argv gives it (surrogateescape)
    "caf\udce9",
    "ń",
    "ketamine",
    "Spravato",
    '"*"',
    "NEAR(a b)",
    "a" * 300,
    "\n" * 2000,
    "-",
    "--json",
    "🙂",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_characters="\x00"), max_size=40),
)
# Text a clinician types: letters, accents, punctuation and line breaks (printable).
PLAIN = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ áéíóúñÑ¿?.,;:-'&<>\n",
    max_size=80,
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8", "ascii", "cp1252", "latin-1"])
OUTPUT_KINDS = st.sampled_from(
    [
        "ok",
        "ok",
        "ok",
        "missing-folder",
        "folder",
        "dev-full",
        "dev-null",
        "long-name",
        "empty",
        "newline-name",
        "under-a-file",
    ]
)
RARE = st.sampled_from([False, False, False, True])


def output_path(kind: str, folder: Path) -> str:
    """An output argument of the given kind; ``folder`` is this example's own folder."""
    (folder / "a-file").write_text("x")
    return {
        "ok": str(folder / "out.pdf"),
        "missing-folder": str(folder / "missing" / "out.pdf"),
        "folder": str(folder),
        "dev-full": "/dev/full",
        "dev-null": "/dev/null",
        "long-name": str(folder / ("n" * 300 + ".pdf")),
        "empty": "",
        "newline-name": str(folder / "bad\nname\x1b[2J") + "/x.pdf",
        "under-a-file": str(folder / "a-file" / "out.pdf"),
    }[kind]


def new_folder(scratch: Path) -> Path:
    folder = scratch / f"ex{next(_serial)}"
    folder.mkdir()
    return folder


def files_in(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def check_outputs(outcome, before: set[Path], folder: Path, failed: bool) -> None:
    """No partial file after a failure; only complete PDFs after success."""
    made = files_in(folder) - before
    assert not [p for p in made if p.name.endswith(".part")], made
    if failed and outcome.code == 0:  # every write runs out of space: nothing was written
        assert not made and "Wrote" not in outcome.err  # (`handout list` writes nothing)
    if outcome.code != 0:
        assert not made, made
    for path in made:
        assert path.read_bytes().startswith(b"%PDF-"), path


def run_and_check(entry: str, argv: list[str], **kwargs) -> None:
    json_out = "--json" in argv and "--pdf" not in argv
    outcome = run_cli(argv, **kwargs)
    COUNTS[entry][str(outcome.code)] += 1
    if os.environ.get("FUZZ_DEBUG"):
        print("ERR", outcome.err[:90].replace("\n", " "), file=sys.__stderr__)
    assert_contract(outcome, json_out=json_out)
    return outcome


# --- search ------------------------------------------------------------------------


@examples("search")
@given(
    query=TEXT,
    limit=st.one_of(st.none(), st.integers(-5, 300).map(str), TEXT),
    as_json=st.booleans(),
    encoding=ENCODINGS,
)
def test_fuzz_search(fuzz_dir: Path, query, limit, as_json, encoding) -> None:
    argv = ["--data-dir", str(fuzz_dir), "search", query]
    if limit is not None:
        argv += ["--limit", limit]
    if as_json:
        argv.append("--json")
    run_and_check("search", argv, encoding=encoding)


# --- show --------------------------------------------------------------------------


@examples("show")
@given(
    modality=st.one_of(st.sampled_from(MODALITY_IDS), TEXT),
    as_json=st.booleans(),
    pdf=RARE,
    kind=OUTPUT_KINDS,
    note=st.one_of(st.none(), TEXT),
    fail=RARE,
    encoding=ENCODINGS,
)
def test_fuzz_show(fuzz_dir, scratch, modality, as_json, pdf, kind, note, fail, encoding):
    argv = ["--data-dir", str(fuzz_dir), "show", modality]
    if as_json:
        argv.append("--json")
    folder = new_folder(scratch)
    if pdf:
        argv += ["--pdf", output_path(kind, folder)]
        if note is not None:
            argv += ["--note", note]
    before = files_in(folder)
    with failing_writes() if fail else _nothing():
        outcome = run_and_check("show", argv, encoding=encoding)
    check_outputs(outcome, before, folder, fail and pdf)


# --- JSON inputs: check and pick ------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=8,
)


def raw_json(keys: list[str]):
    """JSON text (as bytes) that is mostly well-formed, sometimes hostile."""
    objects = st.dictionaries(st.one_of(st.sampled_from(keys), TEXT), JSON_VALUES, max_size=8)
    text = st.one_of(
        objects.map(lambda d: json.dumps(d, ensure_ascii=False)),
        objects.map(lambda d: "\ufeff" + json.dumps(d)),
        st.sampled_from(keys).map(lambda k: f'{{"{k}": true, "{k}": false}}'),
        st.integers(1, 60_000).map(lambda n: "[" * n + "]" * n),
        st.integers(1, 60_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
        st.integers(1, 6000).map(lambda n: f'{{"{keys[0]}": {"9" * n}}}'),
        st.sampled_from(["NaN", "[Infinity]", '{"x": 1e999}', "", "{", "null", "[]", "0"]),
        TEXT,
    ).map(lambda t: t.encode("utf-8", "surrogatepass"))
    return st.one_of(text, st.binary(max_size=64))


def json_source(data: bytes, how: str, folder: Path) -> tuple[str, bytes]:
    """(the argument, stdin bytes) for JSON given on stdin, in a file, or missing."""
    if how == "stdin":
        return "-", data
    if how == "file":
        path = folder / "input.json"
        path.write_bytes(data)
        return str(path), b""
    if how == "folder":
        return str(folder), b""
    return str(folder / "missing.json"), b""


SOURCES = st.sampled_from(["stdin", "stdin", "file", "file", "folder", "missing"])


@pytest.fixture(scope="module")
def questions(fuzz_dir: Path) -> dict:
    from kapdesk.kb.catalog import eligibility_rules
    from kapdesk.kb.store import KnowledgeBase

    KnowledgeBase.open(AppPaths(fuzz_dir).kb_path).close()  # activates its catalog
    return dict(eligibility_rules().questions)


def valid_answers(questions: dict):
    """Answer objects whose every value is allowed (so evaluation, not refusal, runs)."""

    def value(question):
        if question.type == "boolean":
            return st.booleans()
        if question.type == "choice":
            return st.sampled_from([c.value for c in question.choices])
        low, high = question.minimum, question.maximum
        if question.type == "integer":
            return st.integers(int(low), int(high))
        return st.floats(low, high, allow_nan=False)

    return st.fixed_dictionaries({}, optional={key: value(q) for key, q in questions.items()}).map(
        lambda d: json.dumps(d).encode()
    )


@examples("check")
@given(data=st.data(), how=SOURCES, as_json=st.booleans(), pdf=RARE, kind=OUTPUT_KINDS)
def test_fuzz_check(fuzz_dir, scratch, questions, data, how, as_json, pdf, kind) -> None:
    folder = new_folder(scratch)
    raw = data.draw(st.one_of(valid_answers(questions), raw_json(list(questions))))
    source, stdin = json_source(raw, how, folder)
    argv = ["--data-dir", str(fuzz_dir), "check", source]
    if as_json:
        argv.append("--json")
    fail = data.draw(RARE)
    if pdf:
        argv += ["--pdf", output_path(kind, folder)]
        patient = data.draw(st.one_of(st.none(), TEXT))
        if patient is not None:
            argv += ["--patient", patient]
    before = files_in(folder)
    with failing_writes() if fail else _nothing():
        outcome = run_and_check("check", argv, stdin=stdin, encoding=data.draw(ENCODINGS))
    check_outputs(outcome, before, folder, fail and pdf)


PRESENTATION_KEYS = [*BOOLEAN_FEATURES, "dissociation", "condition", "offered"]


@examples("pick")
@given(data=st.data(), how=SOURCES, as_json=st.booleans(), pdf=RARE, plan=RARE)
def test_fuzz_pick(fuzz_dir, scratch, data, how, as_json, pdf, plan) -> None:
    folder = new_folder(scratch)
    good = st.fixed_dictionaries(
        {},
        optional={
            **{k: st.booleans() for k in BOOLEAN_FEATURES},
            "dissociation": st.sampled_from(DISSOCIATION_LEVELS),
            "condition": st.sampled_from([*CONDITIONS, "other"]),
            "offered": st.lists(st.sampled_from(MODALITY_IDS), max_size=3),
        },
    ).map(lambda d: json.dumps(d).encode())
    raw = data.draw(st.one_of(good, raw_json(PRESENTATION_KEYS)))
    source, stdin = json_source(raw, how, folder)
    argv = ["--data-dir", str(fuzz_dir), "pick", source]
    if as_json:
        argv.append("--json")
    kind = data.draw(OUTPUT_KINDS)
    fail = data.draw(RARE)
    if pdf:
        argv += ["--pdf", output_path(kind, folder)]
    if plan:
        target = output_path(data.draw(OUTPUT_KINDS), folder)
        argv += ["--plan-pdf", target.replace("out.pdf", "plan.pdf")]
        argv += data.draw(
            st.sampled_from([[], ["--lang", "es"], ["--large-print"], ["--choose", "emdr"]])
        )
        if data.draw(RARE):
            argv += ["--choose", data.draw(TEXT)]
    elif data.draw(RARE):
        argv += ["--lang", data.draw(TEXT)]
    before = files_in(folder)
    with failing_writes() if fail else _nothing():
        outcome = run_and_check("pick", argv, stdin=stdin, encoding=data.draw(ENCODINGS))
    check_outputs(outcome, before, folder, fail and (pdf or plan))


# --- compare -----------------------------------------------------------------------


@examples("compare")
@given(
    ids=st.one_of(
        st.lists(st.sampled_from(MODALITY_IDS), min_size=2, max_size=4, unique=True),
        st.lists(st.one_of(st.sampled_from(MODALITY_IDS), TEXT), min_size=0, max_size=5),
    ),
    audience=st.one_of(st.none(), st.none(), st.sampled_from(["clinician", "patient"]), TEXT),
    lang=st.one_of(st.none(), st.none(), st.sampled_from(["en", "es"]), TEXT),
    condition=st.one_of(st.none(), st.sampled_from(CONDITIONS), TEXT),
    as_json=st.booleans(),
    pdf=RARE,
    kind=OUTPUT_KINDS,
    fail=RARE,
    encoding=ENCODINGS,
)
def test_fuzz_compare(
    fuzz_dir, scratch, ids, audience, lang, condition, as_json, pdf, kind, fail, encoding
):
    folder = new_folder(scratch)
    argv = ["--data-dir", str(fuzz_dir), "compare", *ids]
    for option, value in (("--audience", audience), ("--lang", lang), ("--condition", condition)):
        if value is not None:
            argv += [option, value]
    if as_json:
        argv.append("--json")
    if pdf:
        argv += ["--pdf", output_path(kind, folder)]
    before = files_in(folder)
    with failing_writes() if fail else _nothing():
        outcome = run_and_check("compare", argv, encoding=encoding)
    check_outputs(outcome, before, folder, fail and pdf)


# --- handout -----------------------------------------------------------------------

TOPICS = [
    "what-is-kap",
    "after-your-session",
    "emdr",
    "side-effects-and-safety",
]


@examples("handout")
@given(data=st.data(), encoding=ENCODINGS)
def test_fuzz_handout(fuzz_dir, scratch, data, encoding) -> None:
    folder = new_folder(scratch)
    topics = data.draw(
        st.one_of(
            st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2),
            st.lists(st.one_of(st.sampled_from([*TOPICS, "list"]), TEXT), min_size=1, max_size=2),
        )
    )
    argv = ["--data-dir", str(fuzz_dir), "handout", *topics]
    for option, values in (
        ("--lang", st.one_of(st.sampled_from(["en", "es", "en", "es"]), TEXT)),
        ("--patient", st.one_of(PLAIN, PLAIN, TEXT)),
        ("--note", st.one_of(PLAIN, PLAIN, TEXT)),
        ("--appointment", st.one_of(PLAIN, PLAIN, TEXT)),
    ):
        if data.draw(st.booleans()):
            argv += [option, data.draw(values)]
    if data.draw(RARE):
        argv.append("--large-print")
    if data.draw(st.sampled_from([False] * 9 + [True])):
        argv.append("--json")
    out = data.draw(st.sampled_from(["--out", "--out-dir", "--out", "--out-dir", None]))
    kind = data.draw(st.one_of(st.just("ok"), OUTPUT_KINDS))
    if out == "--out":
        argv += ["--out", output_path(kind, folder)]
    elif out == "--out-dir":
        argv += ["--out-dir", str(folder) if kind == "ok" else output_path(kind, folder)]
    fail = data.draw(RARE)
    before = files_in(folder)
    with failing_writes() if fail else _nothing():
        outcome = run_and_check("handout", argv, encoding=encoding)
    check_outputs(outcome, before, folder, fail and out is not None)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
