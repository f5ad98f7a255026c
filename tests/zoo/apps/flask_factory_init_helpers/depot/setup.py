"""What the factory wires in besides the blueprints: each piece is imported where it is wired."""


def init_cli(app):
    from depot.maintenance import commands

    app.register_blueprint(commands, cli_group=None)


def init_globals(app):
    from depot.units import Units

    app.jinja_env.globals["Units"] = Units
    app.jinja_env.globals["site_name"] = site_name()


def site_name():
    return "Depot"
