"""Crawling past one machine: capture jobs on Celery workers, with Redis as broker and result backend.

::

    coordinator (serpaudit run, broker_url set)           workers (serpaudit worker --queues nl)
      harvest, landing pages, audit, report   --jobs-->     own Chromium, proxy, politeness
      ONLY writer of SQLite and evidence      <--records--  capture record + evidence bytes

- The unit of work is one capture job (brand, engine, query, device, region, locale), sent to the queue of
  its region (``nl``, ``de``...), so a worker in Germany takes the German jobs.
- Delivery is at least once: ``acks_late``, a worker that dies mid-job has its job re-delivered after the
  broker's visibility timeout (longer than the longest job).  The coordinator stores each job exactly once,
  keyed by (run, job) -- the capture id -- so a re-delivered job stores nothing twice.
- A coordinator that crashes leaves the run "running"; the next ``run`` continues it: stored jobs are not
  sent again, and jobs finished by workers while it was down are collected from the result backend.

- Politeness stays per egress: each worker keeps a local lane's engine budgets, shared in Redis by every
  worker process on the same egress address; a blocked job is sent again after its engine's pause.

Modules: :mod:`.app` (Celery app from settings), :mod:`.records` (what travels), :mod:`.worker` (the task
and ``serpaudit worker``), :mod:`.pacing` (the shared politeness budget), :mod:`.coordinator` (submit,
collect, store), :mod:`.localcluster` (a whole distributed night on one machine, for tests and benches).
"""
