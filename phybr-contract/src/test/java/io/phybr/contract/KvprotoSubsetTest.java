package io.phybr.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import io.phybr.proto.kv.error.Error;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.Context;
import io.phybr.proto.kv.meta.Region;
import io.phybr.proto.kv.pd.PDGrpc;
import io.phybr.proto.kv.pd.TsoResponse;
import io.phybr.proto.kv.tikv.TikvGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The kvproto subsets (metapb, errorpb, kvrpcpb, tikvpb, pdpb) must stay wire-identical to pingcap/kvproto:
 * a real TiKV / PD routes on the full method name and decodes by field number. These pins were read in
 * kvproto's proto/*.proto; a renumbered field or renamed method would still compile on both our sides and
 * fail only against a real cluster, so it fails here.
 */
class KvprotoSubsetTest {

    @Test
    void methodNamesAreKvprotos() {
        assertThat(TikvGrpc.getKvPrepareFlashbackToVersionMethod().getFullMethodName())
                .isEqualTo("tikvpb.Tikv/KvPrepareFlashbackToVersion");
        assertThat(TikvGrpc.getKvFlashbackToVersionMethod().getFullMethodName())
                .isEqualTo("tikvpb.Tikv/KvFlashbackToVersion");
        assertThat(TikvGrpc.getKvGetMethod().getFullMethodName()).isEqualTo("tikvpb.Tikv/KvGet");
        assertThat(TikvGrpc.getKvPrewriteMethod().getFullMethodName()).isEqualTo("tikvpb.Tikv/KvPrewrite");
        assertThat(PDGrpc.getTsoMethod().getFullMethodName()).isEqualTo("pdpb.PD/Tso");
        assertThat(PDGrpc.getTsoMethod().getType()).isEqualTo(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING);
        assertThat(PDGrpc.getGetRegionByIDMethod().getFullMethodName()).isEqualTo("pdpb.PD/GetRegionByID");
        assertThat(PDGrpc.getScanRegionsMethod().getFullMethodName()).isEqualTo("pdpb.PD/ScanRegions");
        assertThat(PDGrpc.getGetMembersMethod().getFullMethodName()).isEqualTo("pdpb.PD/GetMembers");
    }

    @Test
    void messageNamesAndFieldNumbersAreKvprotos() {
        assertFields(Context.getDescriptor(), "kvrpcpb.Context",
                "region_id=1", "region_epoch=2", "peer=3", "term=5", "is_retry_request=20", "cluster_id=35");
        assertFields(PrepareFlashbackToVersionRequest.getDescriptor(), "kvrpcpb.PrepareFlashbackToVersionRequest",
                "context=1", "start_key=2", "end_key=3", "start_ts=4", "version=5");
        assertFields(FlashbackToVersionRequest.getDescriptor(), "kvrpcpb.FlashbackToVersionRequest",
                "context=1", "version=2", "start_key=3", "end_key=4", "start_ts=5", "commit_ts=6");
        assertFields(io.phybr.proto.kv.kvrpc.PrewriteRequest.getDescriptor(), "kvrpcpb.PrewriteRequest",
                "context=1", "mutations=2", "primary_lock=3", "start_version=4", "lock_ttl=5");
        assertFields(io.phybr.proto.kv.kvrpc.PrewriteResponse.getDescriptor(), "kvrpcpb.PrewriteResponse",
                "region_error=1", "errors=2");
        assertFields(io.phybr.proto.kv.kvrpc.Mutation.getDescriptor(), "kvrpcpb.Mutation", "op=1", "key=2", "value=3");
        assertFields(Error.getDescriptor(), "errorpb.Error", "message=1", "not_leader=2", "region_not_found=3",
                "epoch_not_match=5", "server_is_busy=6", "FlashbackInProgress=17", "FlashbackNotPrepared=18");
        assertFields(Region.getDescriptor(), "metapb.Region", "id=1", "start_key=2", "end_key=3",
                "region_epoch=4", "peers=5", "is_in_flashback=7", "flashback_start_ts=8");
        assertFields(TsoResponse.getDescriptor(), "pdpb.TsoResponse", "header=1", "count=2", "timestamp=3");
        assertFields(io.phybr.proto.kv.pd.GetRegionResponse.getDescriptor(), "pdpb.GetRegionResponse",
                "header=1", "region=2", "leader=3", "pending_peers=6");
    }

    /** A subset must parse what the full kvproto writes: fields we left out are skipped, not an error. */
    @Test
    void fieldsLeftOutOfTheSubsetAreSkipped() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeUInt64(1, 7);                 // region_id
        out.writeString(24, "br");             // request_source
        out.writeUInt32(27, 100);              // busy_threshold_ms: not in our subset
        out.writeUInt64(33, 9);                // buckets_version: not in our subset
        out.flush();
        Context parsed = Context.parseFrom(bytes.toByteArray());
        assertThat(parsed.getRegionId()).isEqualTo(7);
        assertThat(parsed.getRequestSource()).isEqualTo("br");
    }

    private static void assertFields(Descriptor d, String fullName, String... nameEqNumber) {
        assertThat(d.getFullName()).isEqualTo(fullName);
        for (String pair : nameEqNumber) {
            String[] p = pair.split("=");
            assertThat(d.findFieldByName(p[0])).as(fullName + "." + p[0]).isNotNull();
            assertThat(d.findFieldByName(p[0]).getNumber()).as(fullName + "." + p[0]).isEqualTo(Integer.parseInt(p[1]));
        }
    }
}
