"""Background tasks of the insights app (django-tasks: the database queue by default, see settings)."""

from django_tasks import task


@task()
def run_analysis(run_id: int) -> str:
    """Run the analysis pipeline for one queued ``AnalysisRun`` (see ``services.execute_run``)."""
    from .services import execute_run

    return str(execute_run(run_id))
