"""Shared test settings: hypothesis profiles sized for CI, and a longer one for local runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# Tests import helpers such as anki_client from this folder.
sys.path.insert(0, str(Path(__file__).parent))

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=_SLOW_OK,
                          derandomize=True, database=None)
# HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py  (about ten minutes)
settings.register_profile("long", max_examples=400, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Problems are printed in colour only on a terminal unless these say otherwise: a CI runner
# that sets them must not change what the tests read.
for _variable in ("FORCE_COLOR", "NO_COLOR"):
    os.environ.pop(_variable, None)
