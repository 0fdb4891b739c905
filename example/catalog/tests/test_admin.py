def test_category_changelist_counts_products(admin_client, hammer, retired_saw):
    response = admin_client.get("/admin/catalog/category/")
    assert response.status_code == 200
    category = response.context["cl"].result_list[0]
    assert category.product_count == 2


def test_product_admin_pages(admin_client, hammer):
    assert admin_client.get("/admin/catalog/product/").status_code == 200
    assert admin_client.get("/admin/catalog/product/?q=hammer").status_code == 200
    assert admin_client.get(f"/admin/catalog/product/{hammer.pk}/change/").status_code == 200
