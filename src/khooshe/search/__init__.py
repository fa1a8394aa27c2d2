"""Search: one Persian/English text pipeline, an embedded tantivy index, optional dense retrieval.

Pure part (no Django): ``tokenize`` (the pipeline), ``index.SearchIndex``, ``dense``, ``fusion``,
``highlight``. Django part: ``organizations`` (Organization rows -> documents, signals, ``reindex``,
``search_organizations``). See docs/search.md.
"""

from khooshe.search.dense import dense_available
from khooshe.search.index import Hit, SearchIndex, SearchResults

__all__ = ["Hit", "SearchIndex", "SearchResults", "dense_available"]
