"""Background tasks of search (django-tasks: the database queue by default, see settings)."""

from django_tasks import task


@task()
def build_index(slug: str) -> str:
    """Apply a requested rebuild (and any queued changes) of one model's index; waits for the writer."""
    from khooshe.search.documents import document_by_slug, flush

    flush(document_by_slug(slug), wait=None)
    return slug
