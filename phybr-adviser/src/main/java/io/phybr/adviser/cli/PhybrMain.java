package io.phybr.adviser.cli;

public final class PhybrMain {
    public static void main(String[] args) {
        System.out.println(io.phybr.proto.seed.RegionMeta.getDescriptor().getFullName());
    }
}
