"""CLI commands of the web capability (registered by dadkhah.cli).

    dadkhah serve [--host 127.0.0.1 --port 8000]      run the web application
    dadkhah users add NAME --role ROLE                 add a user (password asked, or --password-env)
    dadkhah users token NAME [--name WHAT]             print a new API token for a user
    dadkhah users list                                 list users and roles
    dadkhah query role=victim place=Evin "event_date:between=1367/05/01..1367/06/01" [--kind person] [--json]
                                                       the query builder of the /query page and /api/query
"""

from __future__ import annotations

import os

import typer

from dadkhah import cliutil
from dadkhah.access import operator


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""

    @app.command("serve")
    def serve_command(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)"),
        port: int = typer.Option(8000, "--port", help="Port to listen on"),
        workers: int = typer.Option(1, "--workers", help="Server processes (PostgreSQL only)"),
    ) -> None:
        """Run the web application (Persian and English) over the case, on SQLite or PostgreSQL.

        With no users yet, an 'admin' is created: its password from DADKHAH_ADMIN_PASSWORD, or a one-time
        password printed on stderr."""
        from dadkhah.web.app import serve

        case = cliutil.open_case(ctx, create=True)
        try:
            serve(case, host=host, port=port, workers=workers)
        except ValueError as exc:
            cliutil.fail(str(exc))
        finally:
            case.close()

    @app.command("query")
    def query_command(
        ctx: typer.Context,
        conditions: list[str] = typer.Argument(..., help="FIELD[:OP]=VALUE, all of which must hold: 'role=victim,"
                                                          "witness' (any of), 'name:contains=Rezaei', "
                                                          "'event_type:none=burial', 'death:between=1367..1368'"),
        kind: str = typer.Option("person", "--kind", help="person or event"),
        limit: int = typer.Option(100, "--limit", min=1, max=100_000, help="At most this many records"),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout"),
    ) -> None:
        """Records meeting every condition: the query builder of the /query page, in a script.

        Fields (person): name, gender, birth, death, sensitivity, role, event_type, place, event_date,
        organization; (event): name, event_type, place, date, sensitivity. A person's role, event type, place
        and event date must hold for one and the same event. Values are codes or labels in either language; a
        date is in either calendar, and one date alone means within it."""
        from dadkhah.web import query as qb

        params = {}
        for i, text in enumerate(conditions):
            left, sep, value = text.partition("=")
            if not sep:
                cliutil.fail(f"condition {i + 1}: {text!r} is not FIELD[:OP]=VALUE")
            field, _, op = left.strip().partition(":")
            params.update({f"c{i}f": field, f"c{i}o": op.strip()})
            low, dots, high = value.partition("..")
            if not dots and qb.FIELDS.get(kind, {}).get(field, ("",))[0] == qb.DATE and not op.strip():
                low, dots, high = value, "..", value  # one date: within it ("birth=1340": born in 1340)
            params.update({f"c{i}v": low, f"c{i}w": high} if dots else {f"c{i}v": value})
        with cliutil.open_case(ctx) as case, case.reader(operator(case.actor)) as s, cliutil.guard():
            me = s.info["principal"]
            parsed = qb.parse(s, kind, params, me)
            result = qb.run(s, parsed, me, lang="en", limit=limit)
        if json_out:
            cliutil.emit_json(qb.answer(parsed, result))
            return
        for item in result["items"]:
            cliutil.out.print(f"{item['id']:<28} {item.get('label') or ''}", highlight=False, markup=False,
                              soft_wrap=True)
        cliutil.err.print(f"{result['total']:,} {kind}(s) found" + (f", {len(result['items'])} shown"
                                                                  if result["total"] > len(result["items"]) else ""))

    users = typer.Typer(help="Users of the web application and their API tokens.", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    def users_add(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="User name (letters, digits, . _ @ -)"),
        role: str = typer.Option(..., "--role", help="admin, investigator, reviewer, analyst or viewer"),
        display_name: str = typer.Option("", "--display-name", help="Name shown in the interface"),
        password_env: str = typer.Option(
            None, "--password-env", help="Read the password from this environment variable instead of asking"
        ),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout"),
    ) -> None:
        """Add a user of the web application."""
        from dadkhah.errors import InputError
        from dadkhah.web.users import create_user

        if password_env:
            password = os.environ.get(password_env)
            if not password:
                cliutil.fail(f"the environment variable {password_env} is empty or not set")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
        with cliutil.open_case(ctx) as case:
            try:
                with case.session() as s:
                    user = create_user(s, name, role, password, display_name=display_name)
                    result = {"name": user.name, "role": user.role}
            except InputError as exc:
                cliutil.fail(exc.describe())
        if json_out:
            cliutil.emit_json(result)
        else:
            cliutil.err.print(f"added user {result['name']} ({result['role']})")

    @users.command("token")
    def users_token(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="The user the token acts as"),
        purpose: str = typer.Option("", "--name", help="What the token is for (shown in the users page)"),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout"),
    ) -> None:
        """Print a new API token (send it as 'Authorization: Bearer TOKEN'). It is shown only once."""
        from dadkhah.web.users import get_user, issue_token

        with cliutil.open_case(ctx) as case:
            with case.session() as s:
                user = get_user(s, name)
                if user is None:
                    cliutil.fail(f"no user named {name!r} (add one with `dadkhah users add {name} --role ...`)")
                token = issue_token(s, user, purpose)
                role = user.role
        if json_out:
            cliutil.emit_json({"name": name, "role": role, "token": token})
        else:
            print(token)

    @users.command("list")
    def users_list(
        ctx: typer.Context,
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout"),
    ) -> None:
        """List the users of the web application."""
        from dadkhah.web.users import list_users

        with cliutil.open_case(ctx) as case:
            with case.reader(operator(case.actor)) as s:
                rows = [{"name": u.name, "role": u.role, "active": u.active,
                         "tokens": sum(1 for t in u.tokens if not t.revoked)} for u in list_users(s)]
        if json_out:
            cliutil.emit_json(rows)
            return
        for r in rows:
            cliutil.out.print(f"{r['name']:<24} {r['role']:<13} {'active' if r['active'] else 'inactive':<9} "
                              f"{r['tokens']} token(s)", highlight=False)
