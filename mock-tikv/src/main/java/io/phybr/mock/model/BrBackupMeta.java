package io.phybr.mock.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The backup meta BR writes for a volume-snapshot (EBS) backup, for a {@link Backup} of the model (SPEC R15): the
 * fields of tidb {@code br/pkg/config/ebs.go} {@code VolSnapBackupMeta} — {@code cluster_info} ({@code
 * cluster_version}, {@code full_backup_type}, {@code resolved_ts}, {@code replicas}), {@code tikv} ({@code replicas},
 * {@code stores[]} with {@code store_id} and {@code volumes[]}), {@code tidb}, {@code pd}, {@code kubernetes},
 * {@code options}, {@code region}. The resolved ts lives only in {@code cluster_info}: a top-level {@code resolved_ts}
 * is not BR's format. Only TiKV stores are listed (TiFlash is not part of {@code tikv.stores}). Each store has two
 * volumes, as TiDB Operator snapshots a TiKV's data and raft-engine volumes.
 */
public final class BrBackupMeta {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The cluster version written (a semver, as ebs.go's checkEBSBRMeta demands). */
    public static final String CLUSTER_VERSION = "v7.5.1";

    private BrBackupMeta() {
    }

    /** BR's EBS backup meta of {@code backup}, as JSON text. */
    public static String json(Backup backup) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode info = root.putObject("cluster_info");
        info.put("cluster_version", CLUSTER_VERSION);
        info.put("full_backup_type", "aws-ebs");
        info.put("resolved_ts", backup.resolvedTs());
        ObjectNode replicas = info.putObject("replicas");
        replicas.put("pd", 1);
        replicas.put("tidb", 1);
        replicas.put("tikv", backup.images().size());
        ObjectNode tikv = root.putObject("tikv");
        tikv.put("replicas", backup.images().size());
        ArrayNode stores = tikv.putArray("stores");
        for (long id : backup.images().keySet()) {
            ObjectNode s = stores.addObject();
            s.put("store_id", id);
            ArrayNode volumes = s.putArray("volumes");
            for (String kind : new String[] {"data", "raft"}) {
                ObjectNode v = volumes.addObject();
                v.put("volume_id", "vol-" + kind + "-" + id);
                v.put("type", "gp3");
                v.put("snapshot_id", "snap-" + kind + "-" + id);
                v.put("restore_volume_id", "");
                v.put("volume_az", "");
                v.put("status", "");
            }
        }
        root.putObject("tidb").put("replicas", 1);
        root.putObject("pd").put("replicas", 1);
        ObjectNode k8s = root.putObject("kubernetes");
        k8s.putArray("pvs");
        k8s.putArray("pvcs");
        k8s.putNull("crd_tidb_cluster");
        k8s.putObject("options");
        root.putObject("options");
        root.put("region", "us-west-2");
        return root.toPrettyString();
    }
}
