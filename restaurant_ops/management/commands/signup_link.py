"""Prints the one link that opens sign-up of the first owner on an empty production install."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from restaurant_ops.signup_links import MAX_AGE, signup_url


class Command(BaseCommand):
    help = "Print the link the first owner signs up with (production needs it; it works for a week)."

    def handle(self, *args, **options):
        if get_user_model().objects.exists():
            raise CommandError(
                "This install already has accounts: owners invite people from Settings → Staff."
            )
        self.stdout.write(signup_url())
        self.stderr.write(
            f"Open it within {MAX_AGE // 86400} days; it stops working once the owner has signed up."
        )
