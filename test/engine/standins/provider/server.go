package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// provider serves one package. It keeps no state between calls: the engine holds the state.
type provider struct {
	pulumirpc.UnimplementedResourceProviderServer
	pkg string
}

func newProvider(pkg string) *provider { return &provider{pkg: pkg} }

// Unknowns, secrets and resource references pass through as they came.
var wire = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: true}

func decode(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, wire)
}

func encode(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, wire)
}

func (p *provider) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true, AcceptOutputs: true}, nil
}

func (p *provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: versionOf(p.pkg)}, nil
}

func (p *provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	schema, err := json.Marshal(map[string]any{"name": p.pkg, "description": "stand-in: no resource types are described"})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(schema)}, nil
}

func (p *provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return diff(req)
}

func (p *provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true, AcceptOutputs: true}, nil
}

// Check accepts every input. Like the real providers, Kubernetes fills in an autonamed
// metadata.name and the bridged providers (aws, gcp) record which inputs they defaulted
// under `__defaults`, which the engine must not pass to a policy pack.
func (p *provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := decode(req.GetNews())
	if err != nil {
		return nil, err
	}
	checked := checkInputs(p.pkg, req.GetUrn(), news, req.GetRandomSeed())
	inputs, err := encode(checked)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs}, nil
}

func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return diff(req)
}

func (p *provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	inputs, err := decode(req.GetProperties())
	if err != nil {
		return nil, err
	}
	urn := resource.URN(req.GetUrn())
	id := ""
	if !req.GetPreview() {
		id = inventID(urn)
	}
	outputs := withComputed(urn, inputs, nil, id, req.GetPreview())
	props, err := encode(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (p *provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	// Nothing lives anywhere but in the engine's state: what it has is what there is.
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	news, err := decode(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := decode(req.GetOlds())
	if err != nil {
		return nil, err
	}
	outputs := withComputed(resource.URN(req.GetUrn()), news, olds, req.GetId(), req.GetPreview())
	props, err := encode(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *provider) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := decode(req.GetArgs())
	if err != nil {
		return nil, err
	}
	answer, ok := invokes[req.GetTok()]
	if !ok {
		// A silent empty answer would hide a data source nobody decided how to stand in for.
		return nil, status.Errorf(codes.Unimplemented,
			"the %s stand-in does not answer %s: add it to test/engine/standins/provider/computed.go", p.pkg, req.GetTok())
	}
	ret, err := encode(answer(args))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

func (p *provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// diff reports a change for every top-level input whose value differs; nothing is replaced.
func diff(req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := decode(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if req.GetOldInputs() == nil {
		if olds, err = decode(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := decode(req.GetNews())
	if err != nil {
		return nil, err
	}
	d := olds.Diff(news, func(key resource.PropertyKey) bool { return len(key) > 2 && key[:2] == "__" })
	if d == nil || !d.AnyChanges() {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	var keys []string
	for _, k := range d.ChangedKeys() {
		keys = append(keys, string(k))
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: keys}, nil
}

func inventID(urn resource.URN) string {
	return fmt.Sprintf("%s-%s", urn.Name(), shortHash(string(urn)))
}
