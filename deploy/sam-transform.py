"""Expands deploy/template.yaml with the SAM translator and prints plain CloudFormation.

cfn-lint 1.x checks SAM resources without expanding them, so references to
what SAM generates (IntakeFunctionUrl, the URL's permissions, the schedule
rule) go unchecked; check.sh lints this expansion as well. Offline: CodeUri
is replaced by a placeholder S3 location, as `sam package` would, and no AWS
call is made (the functions use their own roles, no managed policy names).

Usage: python3 deploy/sam-transform.py deploy/template.yaml > expanded.json
"""

import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no managed policies, so none need looking up."""

    def load(self):
        return {}


def main(path):
    with open(path, encoding="utf-8") as handle:
        template = yaml_parse(handle.read())
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://placeholder-bucket/package.zip"
    # The translator asks for a region for pseudo parameters; any will do.
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    expanded = transform(template, {}, NoManagedPolicies())
    json.dump(expanded, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
