from django.db import models


class Order(models.Model):
    customer_email = models.TextField()
    status = models.CharField(max_length=20, default="new")
    total = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "orders"
        indexes = [models.Index(fields=["status"], name="orders_status_idx")]
