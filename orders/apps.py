from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from accounts.privacy import eraser_register, export_section_register
        from orders import reactions
        from orders.privacy import orders_erase, orders_export

        reactions.connect()
        # One section for the orders with their payments, shipments, returns
        # and emails: payments and shipping know orders only by number.
        export_section_register("orders", orders_export)
        eraser_register("orders", orders_erase)
