"""The crawl loop: jobs, capture, politeness, evidence, and its local (:mod:`.lanes`) and distributed executors."""
