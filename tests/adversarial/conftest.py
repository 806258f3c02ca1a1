"""Fixtures for the adversarial cases, and a summary of their cost (time, peak memory) after the run."""
import sys

import pytest

if sys.platform == "win32":  # the harness limits memory with POSIX rlimits and reads wait4's rusage
    collect_ignore_glob = ["test_*.py"]
else:
    from .harness import MEASURED, sample_case, small_case


@pytest.fixture
def case(tmp_path):
    return small_case(tmp_path)


@pytest.fixture
def sample(tmp_path):
    return sample_case(tmp_path)


def pytest_terminal_summary(terminalreporter):
    if sys.platform == "win32" or not MEASURED:
        return
    slowest = max(MEASURED, key=lambda m: m[2])
    largest = max(MEASURED, key=lambda m: m[3])
    terminalreporter.write_line(
        f"adversarial: {len(MEASURED)} CLI runs; slowest {slowest[2]:.2f}s ({slowest[0]}, {slowest[1]}); "
        f"largest peak RSS {largest[3] / 2**20:.0f} MiB ({largest[0]}, {largest[1]})")
