"""One ComponentResource per concern, each with its typed Args beside it."""

from infra.components.aws_packages import install

# Before any component touches ``pulumi_aws.<service>``: load only the resources used.
install()
