from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Profile(models.Model):
    """What a member adds to the auth user: a photo and a date of birth."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    date_of_birth = models.DateField(blank=True, null=True)
    photo = models.ImageField(
        upload_to="users/%Y/%m/%d/",
        blank=True,
        help_text="A square picture works best; JPEG, PNG, GIF or WebP.",
    )

    def __str__(self):
        return f"Profile of {self.user.get_username()}"


class Contact(models.Model):
    """One member following another.

    The follow graph lives here rather than in a `following` field added to the auth
    user with `add_to_class`, which would need a migration inside django.contrib.auth.
    `user.rel_from_set` are the people a user follows, `user.rel_to_set` the followers.
    """

    user_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="rel_from_set", on_delete=models.CASCADE
    )
    user_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="rel_to_set", on_delete=models.CASCADE
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["-created"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user_from", "user_to"], name="contact_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(user_from=models.F("user_to")),
                name="contact_not_self",
            ),
        ]

    def __str__(self):
        return f"{self.user_from} follows {self.user_to}"


class Action(models.Model):
    """An entry of the activity stream: `user` `verb` `target` (e.g. bookmarked X)."""

    class Verb(models.TextChoices):
        """Every kind of action, for every app that records one. The value is the
        stream's wording and what rows store: never change an existing value."""

        ACCOUNT_CREATED = "has created an account", "Created an account"
        FOLLOWING = "is following", "Followed a member"
        BOOKMARKED = "bookmarked", "Bookmarked an image"
        LIKES = "likes", "Liked a bookmark"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="actions", on_delete=models.CASCADE
    )
    verb = models.CharField(max_length=255, choices=Verb)
    created = models.DateTimeField(auto_now_add=True)
    target_ct = models.ForeignKey(
        ContentType,
        blank=True,
        null=True,
        related_name="target_obj",
        on_delete=models.CASCADE,
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_ct", "target_id")

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["-created"]),
            models.Index(fields=["target_ct", "target_id"]),
            models.Index(fields=["user", "-created"]),
        ]

    def __str__(self):
        return f"{self.user} {self.verb}"
