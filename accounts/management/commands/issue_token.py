from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import issue_token


class Command(BaseCommand):
    help = "Print an API token for USERNAME (created if missing; --rotate replaces it)."

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace the existing token")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"用户 {options['username']} 不存在") from None
        self.stdout.write(issue_token(user, actor="manage.py", rotate=options["rotate"]))
