"""Jobs: work that runs off the request path, in a process of its own, with progress people can watch.

``runner.JobRunner`` runs the jobs of one application (``Core.runner``) one at a time in a separate
process, and keeps their live progress; ``job`` holds a job's stored life and the views of it;
``imports`` is the import job (``start_import``). Nothing is imported here: ``services.core`` imports
the runner, and the job modules import the core.
"""
