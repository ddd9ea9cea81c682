from django.urls import path

from . import views

app_name = "digitization"

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("ledger/", views.contract_ledger, name="contract_ledger"),
    path("new/", views.batch_create, name="batch_create"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/pages/", views.batch_pages, name="batch_pages"),
    path("<int:pk>/advance/", views.batch_advance, name="batch_advance"),
    path("<int:pk>/numbering/", views.batch_numbering, name="batch_numbering"),
    path("<int:pk>/numbering.pdf", views.numbering_sheet, name="numbering_sheet"),
    path("<int:pk>/upload/", views.batch_upload, name="batch_upload"),
    path("<int:pk>/link/", views.batch_link, name="batch_link"),
    path("batch-items/<int:pk>/explain/", views.batch_item_explain, name="batch_item_explain"),
    path("pages/<int:pk>/", views.page_detail, name="page_detail"),
    path("pages/<int:pk>/image/<str:kind>/", views.page_image, name="page_image"),
    path("pages/<int:pk>/rotate/", views.page_rotate, name="page_rotate"),
    path("pages/<int:pk>/straighten/", views.page_straighten, name="page_straighten"),
    path("pages/<int:pk>/stitch/", views.page_stitch, name="page_stitch"),
    path("pages/<int:pk>/doubt/", views.page_doubt, name="page_doubt"),
    path("pages/<int:pk>/link/", views.page_link, name="page_link"),
    path("pages/<int:pk>/move/", views.page_move, name="page_move"),
    path("pages/<int:pk>/delete/", views.page_delete, name="page_delete"),
    path("pages/<int:pk>/confirm/", views.page_confirm, name="page_confirm"),
    path("doubtful/", views.doubtful_queue, name="doubtful_queue"),
    path("items/<int:pk>/package/", views.package_build, name="package_build"),
    path("items/<int:pk>/package.zip", views.package_download, name="package_download"),
]
