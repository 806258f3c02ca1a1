"""Hypothesis settings for the fuzz targets: few examples in CI, many more with HYPOTHESIS_PROFILE=long.

    .venv/bin/python -m pytest -q tests/fuzz                          # CI: a few seconds
    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest -q tests/fuzz  # 200 times the examples (about 20 minutes)

Each target states its CI example count; the long profile multiplies it. Failures found are kept in
.hypothesis/ and replayed first on the next run.
"""
import os

from hypothesis import HealthCheck, settings

LONG_FACTOR = 200
settings.register_profile("ci", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", parent=settings.get_profile("ci"))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "long"):
    PROFILE = "ci"  # another profile name is for hypothesis's own --hypothesis-profile; ours stay small


def fuzz(examples: int) -> settings:
    """Settings for one target: `examples` in CI, LONG_FACTOR times as many under the long profile."""
    return settings(settings.get_profile(PROFILE),
                    max_examples=examples * (LONG_FACTOR if PROFILE == "long" else 1))
