"""Discovery of submissions and the safety checks on archives."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.batch.discover import (
    ArchiveLimits,
    Entry,
    Refused,
    discover,
    fingerprint,
    load_bundle,
)
from grader.errors import UsageError

WANTED = {"softmax.py", "sgd_step.py"}


def _zip(path: Path, members: dict[str, bytes]) -> Entry:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return Entry(path.stem, path.name, path, "zip")


def _symlink_zip(path: Path) -> Entry:
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("softmax.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return Entry(path.stem, path.name, path, "zip")


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        pytest.param({"../../evil.py": b"x"}, "leaves its folder", id="path traversal"),
        pytest.param({"/etc/evil.py": b"x"}, "leaves its folder", id="absolute path"),
        pytest.param({"C:\\evil.py": b"x"}, "leaves its folder", id="drive letter"),
        pytest.param({f"f{i}.py": b"x" for i in range(201)}, "more than 200 files", id="many"),
        pytest.param({"softmax.py": b"0" * (4 << 20)}, "expands far more", id="zip bomb"),
        pytest.param({"big.py": os.urandom(9 << 20)}, "larger than 8 MiB", id="large file"),
        pytest.param({"x.py": b"x", "x.py/y.py": b"y"}, "as a file and a folder", id="file+dir"),
        pytest.param({"d/y.py": b"y", "d": b"x"}, "as a file and a folder", id="dir+file"),
        pytest.param({"a" * 300 + ".py": b"x"}, "longer than 255 bytes", id="long name"),
    ],
)
@pytest.mark.slow
def test_unsafe_zip_is_refused(tmp_path: Path, members: dict[str, bytes], expected: str) -> None:
    """Each kind of unsafe archive is refused with a message for the student."""
    entry = _zip(tmp_path / "student.zip", members)

    with pytest.raises(Refused) as caught:
        load_bundle(entry, WANTED)

    assert expected in caught.value.message


def test_zip_with_a_link_is_refused(tmp_path: Path) -> None:
    """A symbolic link inside an archive is refused."""
    entry = _symlink_zip(tmp_path / "student.zip")

    with pytest.raises(Refused) as caught:
        load_bundle(entry, WANTED)

    assert "link or special file (softmax.py)" in caught.value.message


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    """A file that only claims to be a zip is refused, not a crash."""
    path = tmp_path / "student.zip"
    path.write_bytes(b"not a zip at all")

    with pytest.raises(Refused) as caught:
        load_bundle(Entry("student", path.name, path, "zip"), WANTED)

    assert "cannot be read" in caught.value.message


def test_total_size_limit_counts_actual_bytes(tmp_path: Path) -> None:
    """Several files each under the limit still hit the total-size limit."""
    entry = _zip(tmp_path / "s.zip", {f"f{i}.py": bytes(range(256)) * 400 for i in range(4)})

    with pytest.raises(Refused) as caught:
        load_bundle(entry, WANTED, ArchiveLimits(max_total_bytes=250_000))

    assert "larger than" in caught.value.message


def test_folder_inside_zip_becomes_the_root(tmp_path: Path) -> None:
    """Exercise files under a top folder of the archive are found and rebased."""
    entry = _zip(
        tmp_path / "s.zip",
        {"alice/exercises/softmax.py": b"a", "alice/exercises/sgd_step.py": b"b", "x.txt": b""},
    )

    bundle = load_bundle(entry, WANTED)

    assert {"softmax.py": b"a", "sgd_step.py": b"b"} == bundle.files


def test_folder_with_a_link_is_refused(tmp_path: Path) -> None:
    """A link in a submission folder could point at the references: refused."""
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "softmax.py").symlink_to("/etc/hostname")

    with pytest.raises(Refused):
        load_bundle(Entry("alice", "alice", folder, "folder"), WANTED)


def test_discover_ids_and_ignored_entries(tmp_path: Path) -> None:
    """Student ids come from names; other files are ignored with one warning."""
    (tmp_path / "alice").mkdir()
    (tmp_path / "bob.zip").write_bytes(b"")
    (tmp_path / "carol.ipynb").write_text("{}")
    (tmp_path / "readme.txt").write_text("")
    (tmp_path / ".DS_Store").write_text("")

    entries, warnings = discover(tmp_path)

    assert [("alice", "folder"), ("bob", "zip"), ("carol", "ipynb")] == [
        (e.student, e.kind) for e in entries
    ]
    assert ["ignored 1 entry that is not a folder, .zip or .ipynb: readme.txt"] == warnings


def test_two_entries_for_one_student_is_a_usage_error(tmp_path: Path) -> None:
    """alice/ and alice.zip both claim student 'alice': the instructor must choose."""
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice.zip").write_bytes(b"")

    with pytest.raises(UsageError, match="both student 'alice'"):
        discover(tmp_path)


def test_fingerprint_follows_content(tmp_path: Path) -> None:
    """The content hash changes with a file's bytes and not with its modification time."""
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "softmax.py").write_text("a")
    entry = Entry("alice", "alice", folder, "folder")
    first = fingerprint(entry)
    (folder / "softmax.py").write_text("a")
    same = fingerprint(entry)
    (folder / "softmax.py").write_text("b")

    assert first == same
    assert first != fingerprint(entry)


def _in_time(call: Callable[[], object], seconds: float = 10.0) -> object:
    """``call()``'s result (or its exception), or fail if it does not end within ``seconds``."""
    import threading

    box: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if errors:
        raise errors[0]
    assert box, f"still running after {seconds} s"
    return box[0]


def test_a_fifo_never_blocks_discovery_hashing_or_loading(tmp_path: Path) -> None:
    """A FIFO in a student's folder, or as an entry, is refused or ignored without reading it."""
    folder = tmp_path / "subs"
    student = folder / "alice"
    student.mkdir(parents=True)
    (student / "softmax.py").write_text("def softmax(z):\n    return z\n")
    os.mkfifo(student / "sgd_step.py")
    os.mkfifo(folder / "bob.ipynb")
    entries, warnings = _in_time(lambda: discover(folder))  # type: ignore[misc]
    assert ["alice"] == [e.student for e in entries]
    assert any("bob.ipynb" in w for w in warnings)
    _in_time(lambda: fingerprint(entries[0]))
    with pytest.raises(Refused) as caught:
        _in_time(lambda: load_bundle(entries[0], WANTED))
    assert "sgd_step.py" in caught.value.message


def test_an_entry_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    """A name with bytes that are not UTF-8 becomes an id that any file or database holds."""
    folder = tmp_path / "subs"
    folder.mkdir()
    os.mkdir(os.fsencode(folder) + b"/caf\xe9")
    entries, _warnings = discover(folder)
    assert ["caf\\xe9"] == [e.student for e in entries]
    entries[0].student.encode("utf-8")
