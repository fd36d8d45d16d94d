"""Exports torchvision's resnet50 (random weights, eval, backbone features: fc = Identity) to ONNX, and
times PyTorch eager on the same work; `export-tiny` writes a one-ReLU model [N, 64] (what a call costs besides the
work). Usage: resnet50.py export out.onnx | resnet50.py export-tiny out.onnx | resnet50.py time threads batch[:iterations] ..."""
import sys, time, torch, torchvision

def model():
    torch.manual_seed(0)
    m = torchvision.models.resnet50()
    m.fc = torch.nn.Identity()  # features [N, 2048], what extraction uses
    return m.eval()

if sys.argv[1] == 'export-tiny':
    torch.onnx.export(torch.nn.ReLU(), torch.randn(1, 64), sys.argv[2], input_names=['x'], output_names=['y'],
                      dynamic_axes={'x': {0: 'N'}, 'y': {0: 'N'}}, opset_version=17)
elif sys.argv[1] == 'export':
    torch.onnx.export(model(), torch.randn(1, 3, 224, 224), sys.argv[2], input_names=['image'], output_names=['features'],
                      dynamic_axes={'image': {0: 'N'}, 'features': {0: 'N'}}, opset_version=17)
else:
    torch.set_num_threads(int(sys.argv[2]))
    m = model()
    with torch.inference_mode():
        for spec in sys.argv[3:]:
            batch, iterations = (list(map(int, spec.split(':'))) + [10])[:2]
            x = torch.rand(batch, 3, 224, 224)
            m(x)
            start = time.perf_counter()
            for _ in range(iterations):
                m(x)
            print(f'pytorch-eager batch={batch} features/s={batch * iterations / (time.perf_counter() - start):.2f}')
