from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = "Promotions"

    def ready(self) -> None:
        from accounts.privacy import eraser_register, export_section_register
        from promotions.privacy import redemptions_erase, redemptions_export
        from promotions.source import DatabasePromotions
        from shop.pricing import promotion_source_register

        promotion_source_register(DatabasePromotions())
        export_section_register("promo_code_redemptions", redemptions_export)
        eraser_register("promotions", redemptions_erase)
