def cart(request):
    """Item count for the header; the shop issue replaces this with the Cart class."""
    items = request.session.get("cart", {}) if hasattr(request, "session") else {}
    count = sum(int(line.get("quantity", 0)) for line in items.values())
    return {"cart_count": count}
