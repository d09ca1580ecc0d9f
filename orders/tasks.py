import smtplib

from celery import shared_task

from orders.emails import order_confirmation_send
from orders.services import orders_unpaid_expire


@shared_task(
    name="orders.order_confirmation_send",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=10,
)
def order_confirmation_send_task(order_id: int) -> bool:
    """After commit of the payment; a mail server outage is retried with
    backoff, and a retry after a success sends nothing twice."""
    return order_confirmation_send(order_id=order_id)


@shared_task(name="orders.orders_unpaid_expire")
def orders_unpaid_expire_task() -> int:
    return orders_unpaid_expire()
