"""Business writes for orders, one module per subject:

- `checkout`: placing an order (stock reserved through `shop.services`), its total,
  status changes and cancellation;
- `payment`: Stripe Checkout Sessions and the webhook's events;
- `mail`: the confirmation and invoice mails (claimed, sent once, swept);
- `invoice`: the PDF invoice.

What they raise is in `orders.exceptions`.
"""
