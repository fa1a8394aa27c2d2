"""Files follow their records: when a dataset or a run is deleted (by a page, the API, the admin or a
cascade), its folder is removed once the deletion is committed."""

from django.db import transaction
from django.db.models.signals import post_delete

from . import storage
from .models import AnalysisRun, Dataset


def _remove_dataset_files(sender, instance, **kwargs):
    folder = storage.dataset_dir(instance.pk)
    transaction.on_commit(lambda: storage.remove(folder))


def _remove_run_files(sender, instance, **kwargs):
    folder = storage.run_dir(instance.pk)
    transaction.on_commit(lambda: storage.remove(folder))


def connect() -> None:
    post_delete.connect(_remove_dataset_files, sender=Dataset, dispatch_uid="insights-dataset-files")
    post_delete.connect(_remove_run_files, sender=AnalysisRun, dispatch_uid="insights-run-files")
