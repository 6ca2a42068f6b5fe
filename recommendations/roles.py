"""The two roles, as groups with model permissions (created by a migration).

- Secretariat staff: everything on the tracker's data except user administration
  (users, groups, liaison bindings and API tokens stay with superusers).
- Liaison: no admin access at all; their reach is their own member state, through the API.
"""

SECRETARIAT = "Secretariat staff"
LIAISON = "Liaison"

ALL = ("view", "add", "change", "delete")
SECRETARIAT_PERMISSIONS = {
    # import_report: the admin's "Import reports" page; change: the follow-up due date
    "report": ("view", "change", "import"),
    "reportversion": ("view",),
    "recommendationtext": ("view",),
    "historicalrecommendationtext": ("view",),
    "reportsession": ("view",),
    "recommendation": ("view", "change"),
    "recommendationtheme": ALL,
    "followup": (*ALL, "verify"),  # verify_followup: an implemented claim becomes verified
    "action": ALL,
    "theme": ("view", "add", "change"),  # names and keywords (deleting stays with superusers)
    "body": ("view",),
    "memberstate": ("view",),
    "liaison": ("view",),
    "historicalliaison": ("view",),
    "historicaltheme": ("view",),
    "historicalbody": ("view",),
    "historicalmemberstate": ("view",),
    "historicalrecommendation": ("view",),
    "historicalrecommendationtheme": ("view",),
    "historicalfollowup": ("view",),
    "historicalaction": ("view",),
    "apitoken": ("view", "change"),  # staff can see and revoke tokens, not issue them
    "bodysession": ALL,  # the sessions the due dates follow
    "historicalbodysession": ("view",),
    "email": ("view",),  # what the reminders sent, read-only
    "reminder": ("view",),
}


def sync_roles(apps) -> None:
    """Create the groups and set their permissions exactly (historical models)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # A migration's app registry has no models modules: pretend, just for this call.
        historical = getattr(app_config, "models_module", None) is None
        if historical:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if historical:
            app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    secretariat, _ = group_model.objects.get_or_create(name=SECRETARIAT)
    # Migrations run this with the models of their time: skip the models and the custom
    # permissions ("import_report") not created yet.
    app_models = list(apps.get_app_config("recommendations").get_models())
    defined = {f"{action}_{model._meta.model_name}" for model in app_models for action in ALL} | {
        codename for model in app_models for codename, _ in model._meta.permissions
    }
    codenames = [
        f"{action}_{model}"
        for model, actions in SECRETARIAT_PERMISSIONS.items()
        for action in actions
        if f"{action}_{model}" in defined
    ]
    permissions = permission_model.objects.filter(
        content_type__app_label="recommendations", codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"permissions missing: {sorted(missing)}")
    secretariat.permissions.set(permissions)
    liaison, _ = group_model.objects.get_or_create(name=LIAISON)
    liaison.permissions.clear()
