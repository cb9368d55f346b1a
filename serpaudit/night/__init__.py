"""One night's stages: harvest -> crawl -> landing pages -> audit -> report, wired by :mod:`.pipeline`."""
