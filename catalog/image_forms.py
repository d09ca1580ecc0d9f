"""The product image form for staff (the admin's image inline).

The form only checks; saving goes through ``catalog.images.product_image_save``
so that thumbnails are made, e.g. in ``ModelAdmin.save_formset``::

    for form in formset.forms:
        if form.has_changed() and not form.cleaned_data.get("DELETE"):
            upload = form.cleaned_data["image"] if "image" in form.changed_data else None
            product_image_save(image=form.instance, upload=upload)
"""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from catalog.images import ACCEPT, image_validate
from catalog.models import ProductImage


class ProductImageUploadField(forms.FileField):
    """A file field that takes only images we can serve: the checks of
    ``image_validate`` with their messages (too large, too many pixels, not an
    image, wrong format), instead of Django's single "Upload a valid image"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> Any:
        upload = super().to_python(data)
        if isinstance(upload, UploadedFile):
            image_validate(upload)
        return upload


class ProductImageForm(forms.ModelForm[ProductImage]):
    class Meta:
        model = ProductImage
        fields = ("product", "variant", "image", "alt_text", "position")
        field_classes = {"image": ProductImageUploadField}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        product, variant = cleaned.get("product"), cleaned.get("variant")
        if product is not None and variant is not None and variant.product_id != product.pk:
            self.add_error("variant", forms.ValidationError(_("Choose a variant of this product.")))
        return cleaned
