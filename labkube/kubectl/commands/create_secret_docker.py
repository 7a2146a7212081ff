"""``kubectl create secret docker-registry NAME``: the ``.dockerconfigjson`` it stores.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_secret_docker.go (kubectl 1.32): the
secret's type is ``kubernetes.io/dockerconfigjson`` and its one key is ``.dockerconfigjson``,
``{"auths":{SERVER:{"username":…,"password":…,"email":…,"auth":base64(user:password)}}}`` as
Go's ``json.Marshal`` writes it (compact, fields in the struct's order, empty ones left out,
``<``, ``>``, ``&`` escaped). ``--docker-server`` defaults to Docker Hub's
``https://index.docker.io/v1/``; ``--from-file`` takes an existing ``config.json`` instead.
"""

from __future__ import annotations

import base64

from labkube.kubectl.errors import KubectlError
from labkube.kubectl.output import json_string

#: ``--docker-server``'s default.
DOCKER_HUB = "https://index.docker.io/v1/"
#: The secret's type and its key (``corev1.SecretTypeDockerConfigJson``, ``DockerConfigJsonKey``).
SECRET_TYPE = "kubernetes.io/dockerconfigjson"
KEY = ".dockerconfigjson"


def validate(name: str, files: list[str], username: str, password: str, server: str) -> None:
    """``CreateSecretDockerRegistryOptions.Validate``."""
    if not name:
        raise KubectlError("error: name must be specified")
    if not files and not (username and password and server):
        raise KubectlError("error: either --from-file or the combination of --docker-username, "
                           "--docker-password and --docker-server is required")


def docker_config_json(username: str, password: str, email: str, server: str) -> bytes:
    """``handleDockerCfgJSONContent``: one entry under ``auths``, keyed by the server."""
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    fields = (("username", username), ("password", password), ("email", email), ("auth", auth))
    entry = ",".join(f"{json_string(key)}:{json_string(value)}" for key, value in fields if value)
    return f'{{"auths":{{{json_string(server)}:{{{entry}}}}}}}'.encode()
