"""API views whose GETs read from the read replica when one is configured (restaurant_ops/routers.py)."""

from rest_framework.permissions import SAFE_METHODS

from restaurant_ops.routers import replica_reads


class ReplicaReadsMixin:
    """GET and HEAD run inside `replica_reads()`: authentication, scoping and the analysis queries all
    read from the replica; any write (an API key's last use, say) still goes to the primary."""

    def dispatch(self, request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            with replica_reads():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)
