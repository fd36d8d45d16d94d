namespace MoCo.Torch.Tests;

// Values against closed forms computed here in C#.
public class TensorTests
{
    [Test]
    public void Tensor_from_array_keeps_shape_dtype_and_values()
    {
        using var t = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.That(t.shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(t.device, Is.EqualTo(Device.CPU));
        Assert.That(t.stride(), Is.EqualTo(new long[] { 3, 1 }));
        Assert.That(t.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
    }

    [Test]
    public void From_array_shares_memory_both_ways()
    {
        var data = new double[] { 1, 2, 3, 4 };
        using (var t = torch.from_array(data, 2, 2))
        {
            t.mul_(10);
            Assert.That(data, Is.EqualTo(new double[] { 10, 20, 30, 40 }));
            data[0] = -1;
            Assert.That(t.ToArray<double>()[0], Is.EqualTo(-1));
        }
    }

    [Test]
    public void From_array_pin_outlives_the_handle_through_views()
    {
        var data = new float[] { 1, 2, 3, 4 };
        Tensor view;
        using (var t = torch.from_array(data, 4)) view = t.view(2, 2);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(view.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        view.Dispose();
    }

    [Test]
    public void AsSpan_reads_and_writes_in_place()
    {
        using var t = torch.zeros([3]);
        t.AsSpan<float>()[1] = 7;
        Assert.That(t.ToArray<float>(), Is.EqualTo(new float[] { 0, 7, 0 }));
        using var nc = torch.zeros([2, 3]).t();
        Assert.Throws<InvalidOperationException>(() => nc.AsSpan<float>());
    }

    [Test]
    public void Arithmetic_matches_closed_forms()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 1, 2, 3 });
        var b = torch.tensor(new double[] { 4, 5, 6 });
        Assert.That((a + b).ToArray<double>(), Is.EqualTo(new double[] { 5, 7, 9 }));
        Assert.That((a - b).ToArray<double>(), Is.EqualTo(new double[] { -3, -3, -3 }));
        Assert.That((a * b).ToArray<double>(), Is.EqualTo(new double[] { 4, 10, 18 }));
        Assert.That((b / a).ToArray<double>(), Is.EqualTo(new double[] { 4, 2.5, 2 }));
        Assert.That((2.0 - a).ToArray<double>(), Is.EqualTo(new double[] { 1, 0, -1 }));
        Assert.That((a * 2 + 1).ToArray<double>(), Is.EqualTo(new double[] { 3, 5, 7 }));
        Assert.That((-a).ToArray<double>(), Is.EqualTo(new double[] { -1, -2, -3 }));
        Assert.That(a.add(b, 2).ToArray<double>(), Is.EqualTo(new double[] { 9, 12, 15 }));
        Assert.That(a.pow(2).ToArray<double>(), Is.EqualTo(new double[] { 1, 4, 9 }));
        Assert.That(a.exp().ToArray<double>(), Is.EqualTo(new[] { Math.Exp(1), Math.Exp(2), Math.Exp(3) }).Within(1e-12));
        Assert.That(a.log().ToArray<double>(), Is.EqualTo(new[] { 0, Math.Log(2), Math.Log(3) }).Within(1e-12));
        Assert.That(a.sqrt().ToArray<double>(), Is.EqualTo(new[] { 1, Math.Sqrt(2), Math.Sqrt(3) }).Within(1e-12));
        Assert.That(a.clamp(1.5, 2.5).ToArray<double>(), Is.EqualTo(new double[] { 1.5, 2, 2.5 }));
        Assert.That(a.clamp(max: 2).ToArray<double>(), Is.EqualTo(new double[] { 1, 2, 2 }));
    }

    [Test]
    public void In_place_variants_modify_and_return_the_same_tensor()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3 });
        var b = torch.tensor(new float[] { 1, 1, 1 });
        Assert.That(a.add_(b, 3), Is.SameAs(a));
        Assert.That(a.ToArray<float>(), Is.EqualTo(new float[] { 4, 5, 6 }));
        a.mul_(0.5).sub_(b).div_(2).clamp_(0.6, 1.5);
        Assert.That(a.ToArray<float>(), Is.EqualTo(new float[] { 0.6f, 0.75f, 1 }).Within(1e-6));
        a.fill_(3).zero_();
        Assert.That(a.ToArray<float>(), Is.EqualTo(new float[] { 0, 0, 0 }));
    }

    [Test]
    public void Reductions_match_closed_forms()
    {
        using var scope = torch.NewDisposeScope();
        var m = torch.tensor(new double[] { 1, 5, 3, 4, 2, 6 }, 2, 3);
        Assert.That(m.sum().item<double>(), Is.EqualTo(21));
        Assert.That(m.sum(1).ToArray<double>(), Is.EqualTo(new double[] { 9, 12 }));
        Assert.That(m.sum(0, keepdim: true).shape, Is.EqualTo(new long[] { 1, 3 }));
        Assert.That(m.mean().item<double>(), Is.EqualTo(3.5));
        Assert.That(m.mean(0).ToArray<double>(), Is.EqualTo(new double[] { 2.5, 3.5, 4.5 }));
        Assert.That(m.max().item<double>(), Is.EqualTo(6));
        var (values, indices) = m.max(1);
        Assert.That(values.ToArray<double>(), Is.EqualTo(new double[] { 5, 6 }));
        Assert.That(indices.ToArray<long>(), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(m.argmax().item<long>(), Is.EqualTo(5));
        Assert.That(m.argmax(0).ToArray<long>(), Is.EqualTo(new long[] { 1, 0, 1 }));
        var (top, topIdx) = m.topk(2, dim: 1);
        Assert.That(top.ToArray<double>(), Is.EqualTo(new double[] { 5, 3, 6, 4 }));
        Assert.That(topIdx.ToArray<long>(), Is.EqualTo(new long[] { 1, 2, 2, 0 }));
        Assert.That(m.norm().item<double>(), Is.EqualTo(Math.Sqrt(91)).Within(1e-12));
        Assert.That(m.var([1]).ToArray<double>(), Is.EqualTo(new double[] { 4, 4 }).Within(1e-12));
    }

    [Test]
    public void Comparisons_give_booleans()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3 });
        Assert.That(a.gt(1.5).ToArray<bool>(), Is.EqualTo(new[] { false, true, true }));
        Assert.That(a.le(2).ToArray<bool>(), Is.EqualTo(new[] { true, true, false }));
        Assert.That(a.eq(torch.tensor(new float[] { 1, 0, 3 })).ToArray<bool>(), Is.EqualTo(new[] { true, false, true }));
        Assert.That(a.equal(a.clone()), Is.True);
        Assert.That(a.allclose(a + 1e-7), Is.True);
        Assert.That(torch.where(a.gt(2), a, torch.zeros_like(a)).ToArray<float>(), Is.EqualTo(new float[] { 0, 0, 3 }));
    }

    [Test]
    public void Matmul_matches_a_hand_computed_product()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var b = torch.tensor(new double[] { 7, 8, 9, 10, 11, 12 }, 3, 2);
        Assert.That(a.matmul(b).ToArray<double>(), Is.EqualTo(new double[] { 58, 64, 139, 154 }));
        Assert.That(a.mm(b).shape, Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(a.t().ToArray<double>(), Is.EqualTo(new double[] { 1, 4, 2, 5, 3, 6 }));
    }

    [Test]
    public void Shape_operations_move_elements_as_row_major_order_says()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(24, ScalarType.Int64).reshape(2, 3, 4);
        Assert.That(x.shape, Is.EqualTo(new long[] { 2, 3, 4 }));
        var p = x.permute(2, 0, 1);
        Assert.That(p.shape, Is.EqualTo(new long[] { 4, 2, 3 }));
        Assert.That(p.is_contiguous(), Is.False);
        long[] flat = p.contiguous().ToArray<long>();
        Assert.That(flat[1], Is.EqualTo(4)); // p[0,0,1] = x[0,1,0]
        Assert.That(flat[6], Is.EqualTo(1)); // p[1,0,0] = x[0,0,1]
        Assert.That(x.view(6, 4).shape, Is.EqualTo(new long[] { 6, 4 }));
        Assert.That(x.flatten(1).shape, Is.EqualTo(new long[] { 2, 12 }));
        Assert.That(x.unsqueeze(0).shape, Is.EqualTo(new long[] { 1, 2, 3, 4 }));
        Assert.That(x.unsqueeze(0).squeeze(0).shape, Is.EqualTo(new long[] { 2, 3, 4 }));
        Assert.That(x.transpose(0, 2).shape, Is.EqualTo(new long[] { 4, 3, 2 }));
        Assert.That(x.narrow(2, 1, 2).contiguous().ToArray<long>()[..2], Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(x.slice(2, 0, null, 2).contiguous().ToArray<long>()[..2], Is.EqualTo(new long[] { 0, 2 }));
        Assert.That(x.select(0, 1).select(0, 2).ToArray<long>(), Is.EqualTo(new long[] { 20, 21, 22, 23 }));
        Assert.That(x.flip(2).select(0, 0).select(0, 0).ToArray<long>(), Is.EqualTo(new long[] { 3, 2, 1, 0 }));
        Assert.That(torch.ones([3, 1]).expand(3, 4).shape, Is.EqualTo(new long[] { 3, 4 }));
        var parts = x.chunk(3, 1);
        Assert.That(parts, Has.Length.EqualTo(3));
        Assert.That(parts[2].shape, Is.EqualTo(new long[] { 2, 1, 4 }));
    }

    [Test]
    public void Cat_and_stack_join_in_order()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2 });
        var b = torch.tensor(new float[] { 3, 4 });
        Assert.That(torch.cat([a, b]).ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        var s = torch.stack([a, b], 1);
        Assert.That(s.shape, Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(s.ToArray<float>(), Is.EqualTo(new float[] { 1, 3, 2, 4 }));
    }

    [Test]
    public void Indexing_selects_gathers_and_scatters()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 10, 11, 12, 20, 21, 22 }, 2, 3);
        var idx = torch.tensor(new long[] { 2, 0 });
        Assert.That(x.index_select(1, idx).ToArray<float>(), Is.EqualTo(new float[] { 12, 10, 22, 20 }));
        var g = torch.tensor(new long[] { 1, 1, 0, 2 }, 2, 2);
        Assert.That(x.gather(1, g).ToArray<float>(), Is.EqualTo(new float[] { 11, 11, 20, 22 }));
        var scattered = torch.zeros([2, 3]).scatter(1, torch.tensor(new long[] { 0, 2 }, 2, 1), torch.ones([2, 1]));
        Assert.That(scattered.ToArray<float>(), Is.EqualTo(new float[] { 1, 0, 0, 0, 0, 1 }));
        Assert.That(x.index(null, idx).ToArray<float>(), Is.EqualTo(new float[] { 12, 10, 22, 20 }));
        var y = torch.zeros([4]);
        y.index_put_([torch.tensor(new long[] { 1, 3 })], torch.tensor(new float[] { 5, 6 }));
        Assert.That(y.ToArray<float>(), Is.EqualTo(new float[] { 0, 5, 0, 6 }));
        var z = torch.zeros([3, 2]);
        z.index_copy_(0, torch.tensor(new long[] { 2 }), torch.ones([1, 2]));
        Assert.That(z.ToArray<float>(), Is.EqualTo(new float[] { 0, 0, 0, 0, 1, 1 }));
    }

    [Test]
    public void Randperm_is_a_permutation_and_seeded_draws_repeat()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(123);
        long[] p = torch.randperm(1000).ToArray<long>();
        Assert.That(p.OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, 1000).Select(v => (long)v)));
        Assert.That(p, Is.Not.EqualTo(Enumerable.Range(0, 1000).Select(v => (long)v)));
        torch.manual_seed(7);
        float[] first = torch.randn([16]).ToArray<float>();
        torch.manual_seed(7);
        Assert.That(torch.randn([16]).ToArray<float>(), Is.EqualTo(first));
    }

    [Test]
    public void Rng_state_restores_the_sequence()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var state = torch.random.get_rng_state();
        float[] a = torch.rand([8]).ToArray<float>();
        torch.random.set_rng_state(state);
        Assert.That(torch.rand([8]).ToArray<float>(), Is.EqualTo(a));
    }

    [Test]
    public void Conversions_and_devices()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1.7f, -2.2f });
        Assert.That(a.to_type(ScalarType.Int64).ToArray<long>(), Is.EqualTo(new long[] { 1, -2 }));
        Assert.That(a.to(ScalarType.Float64).dtype, Is.EqualTo(ScalarType.Float64));
        Assert.That(a.to(Device.CPU).device, Is.EqualTo(Device.CPU));
        Assert.That(torch.scalar_tensor(3.5).item<double>(), Is.EqualTo(3.5));
        Assert.That(torch.full([2], 4, ScalarType.Int32).ToArray<int>(), Is.EqualTo(new[] { 4, 4 }));
        Assert.That(torch.eye(2).ToArray<float>(), Is.EqualTo(new float[] { 1, 0, 0, 1 }));
        Assert.That(torch.arange(1, 2, 0.25).ToArray<float>(), Is.EqualTo(new float[] { 1, 1.25f, 1.5f, 1.75f }));
        Assert.That(Device.Parse("cuda:1"), Is.EqualTo(new Device(DeviceType.CUDA, 1)));
        Assert.Throws<FormatException>(() => Device.Parse("tpu"));
    }

    [Test]
    public void Runtime_settings_round_trip()
    {
        int before = torch.get_num_threads();
        torch.set_num_threads(1);
        Assert.That(torch.get_num_threads(), Is.EqualTo(1));
        torch.set_num_threads(before);
        Assert.That(torch.version, Does.StartWith("1.").Or.StartWith("2."));
        Assert.That(torch.cuda.device_count(), Is.GreaterThanOrEqualTo(0));
    }
}
