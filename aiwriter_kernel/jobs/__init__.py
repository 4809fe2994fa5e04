"""Long work as jobs: stored in the database, run by the batch executors, reported as events.

``kinds`` maps a job kind to its request model and Workbench method; ``worker`` runs one
job in an executor's process; ``dispatcher`` claims queued jobs and keeps a few in flight.
Front ends submit and read jobs through the Workbench (``submit_job``, ``job``, ...).
"""
