"""Operations around a night: the database lock, logs, the schedule, output folders, processes, exit codes."""
