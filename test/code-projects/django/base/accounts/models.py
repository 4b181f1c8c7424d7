from django.db import models


class Account(models.Model):
    email = models.TextField()
    score = models.IntegerField(default=0)

    class Meta:
        db_table = "accounts"
