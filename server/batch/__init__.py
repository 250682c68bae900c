"""`ecg-render batch`: render every line of a manifest into one folder, resumably.

    manifest.py   JSON Lines / CSV -> BatchItem per good line, BadLine per bad one
    state.py      the input hash, DIR/batch-state.json (finished jobs), the folder lock
    local.py      renders in a process pool on this machine (``--jobs N``)
    remote.py     submits to the rq cluster and follows it (``--redis URL``)
    progress.py   overall and per-job progress on stderr
    report.py     line results, the summary table, DIR/report.json
    runner.py     wires them: plan (skip what is done), execute, publish, record, report

Files in DIR: ``<job_id>.<format>`` outputs (only complete files: renders and downloads are
written under ``DIR/.batch-work/`` and renamed into place), ``batch-state.json`` and
``report.json``. Only one batch may write into a folder at a time (a lock on the folder).
"""
