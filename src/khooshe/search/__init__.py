"""Search: one Persian/English text pipeline, an embedded tantivy index, optional dense retrieval.

Pure part (no Django): ``tokenize`` (the pipeline), ``index.SearchIndex``, ``dense``, ``fusion``,
``highlight``, ``locks``. Django part: ``documents`` (one index per searchable model, kept current with
several processes), ``registrations`` (the models' documents), ``listing`` (the list pages' search box and
the API's ``?q=``), ``organizations`` (``search_organizations`` for matching). See docs/search.md.
"""

from khooshe.search.dense import dense_available
from khooshe.search.index import Hit, SearchIndex, SearchResults

__all__ = ["Hit", "SearchIndex", "SearchResults", "dense_available"]
