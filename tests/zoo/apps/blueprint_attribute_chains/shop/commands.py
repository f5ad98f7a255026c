import click
from flask.cli import with_appcontext

from shop.extensions import db
from shop.models import User


@click.command("init-db")
@with_appcontext
def init_db():
    """Create all tables."""
    db.create_all()
    click.echo("tables created")


@click.command("create-admin")
@click.argument("email")
@click.password_option()
@with_appcontext
def create_admin(email, password):
    user = User(email=email, name=email.split("@")[0], is_admin=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"admin {email} created")
