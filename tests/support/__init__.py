"""Helpers shared by the test files (imported as ``tests.support.<module>``); no tests live here."""
