# Shared pytest set-up.
#
# Hypothesis: every property test runs derandomized (the same examples on every run, no example database), so a
# CI failure reproduces locally. Each property file has a base example count N (some tests run a multiple of it);
# the environment variable RTENSOR_HYPOTHESIS_EXAMPLES replaces N (`make test-slow` runs the property files with
# large values).
import os

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a test dependency; files that need it import it themselves
    settings = None

if settings is not None:
    settings.register_profile(
        "rtensor",
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    settings.load_profile("rtensor")


def hypothesis_examples(default):
    """A property file's base example count: ``default``, or RTENSOR_HYPOTHESIS_EXAMPLES when set."""
    value = os.environ.get("RTENSOR_HYPOTHESIS_EXAMPLES")
    return int(value) if value else default
