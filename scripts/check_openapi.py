"""Checks docs/openapi.json against the OpenAPI 3.1 specification, following its $refs into
docs/snapshot.schema.json."""

import pathlib
import sys

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"


def main():
    spec, base = read_from_filename(str(DOCS / "openapi.json"))
    try:
        validate(spec, base_uri=base)
    except Exception as error:  # the validator raises several kinds; each is a failure
        print(f"FAIL openapi.json: {type(error).__name__}: {str(error)[:500]}")
        return 1
    print(f"openapi.json: valid OpenAPI {spec['openapi']}, {len(spec['paths'])} paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
