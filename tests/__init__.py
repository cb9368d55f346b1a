"""serpaudit's tests: one folder per package of the code (crawler/, audits/, reports/, sandbox/, serpaudit/...),
each file named after the module it tests; shared helpers in support/."""
