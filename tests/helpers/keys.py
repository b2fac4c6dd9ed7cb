"""The notes master key of the tests' server (settings.NOTES_MASTER_KEYS, set for every test by tests/conftest.py and
given to the processes the tests start)."""

TEST_MASTER_KEY = "dGVzdHMtb25seS1ub3Rlcy1tYXN0ZXIta2V5LTMyYiE="  # 32 bytes, for tests only
