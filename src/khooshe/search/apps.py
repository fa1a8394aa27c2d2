from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "khooshe.search"
    label = "search"
    verbose_name = "Search"

    def ready(self):
        from khooshe.search.documents import connect

        connect()
