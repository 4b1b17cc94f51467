"""The Plan: what the Pulumi program registers, recorded offline under Pulumi's mocks."""
