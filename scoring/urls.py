from .views import ranking, scorecards, tables

app_name = "scoring"

urlpatterns = [*tables.urlpatterns, *scorecards.urlpatterns, *ranking.urlpatterns]
