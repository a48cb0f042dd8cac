package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The outputs a cloud computes and the program reads. During a preview each is unknown, as
// a real provider reports it; on create it gets an invented value shaped like the cloud's.
// The values follow infra/plan/mocks.ts, so the engine's run and the offline plan see the
// same shapes.

const account = "123456789012"

// computer invents one output of a resource from its inputs.
type computer func(r created) resource.PropertyValue

// created is what an invented value may depend on.
type created struct {
	urn    resource.URN
	id     string
	inputs resource.PropertyMap
}

// physical is the resource's name in the cloud: its `name` input, or the logical name
// with a stable suffix, as autonaming would give it.
func (c created) physical() string {
	if v, ok := c.inputs["name"]; ok && v.IsString() {
		return v.StringValue()
	}
	return fmt.Sprintf("%s-%s", c.urn.Name(), shortHash(string(c.urn)))
}

func (c created) input(key string) string {
	if v, ok := c.inputs[resource.PropertyKey(key)]; ok && v.IsString() {
		return v.StringValue()
	}
	return ""
}

func str(s string) resource.PropertyValue { return resource.NewStringProperty(s) }

func obj(kv ...any) resource.PropertyValue {
	m := resource.PropertyMap{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[resource.PropertyKey(kv[i].(string))] = kv[i+1].(resource.PropertyValue)
	}
	return resource.NewObjectProperty(m)
}

func arr(vs ...resource.PropertyValue) resource.PropertyValue { return resource.NewArrayProperty(vs) }

// computedByType lists, per type token, the outputs computed beyond the generic ones.
var computedByType = map[string]map[string]computer{
	"aws:eks/cluster:Cluster": {
		"endpoint": func(c created) resource.PropertyValue {
			return str(fmt.Sprintf("https://%s.gr7.us-east-1.eks.amazonaws.com", strings.ToUpper(shortHash(string(c.urn)))))
		},
		"certificateAuthority": func(created) resource.PropertyValue { return obj("data", str("TU9DSy1DQQ==")) },
		"identities": func(c created) resource.PropertyValue {
			issuer := fmt.Sprintf("https://oidc.eks.us-east-1.amazonaws.com/id/%s", strings.ToUpper(shortHash(string(c.urn))))
			return arr(obj("oidcs", arr(obj("issuer", str(issuer)))))
		},
	},
	"aws:eks/nodeGroup:NodeGroup": {"nodeGroupName": func(c created) resource.PropertyValue { return str(c.physical()) }},
	"aws:iam/role:Role": {"arn": func(c created) resource.PropertyValue {
		return str(fmt.Sprintf("arn:aws:iam::%s:role/%s", account, c.physical()))
	}},
	"aws:s3/bucket:Bucket":     {"bucket": func(c created) resource.PropertyValue { return str(c.physical()) }},
	"aws:s3/bucketV2:BucketV2": {"bucket": func(c created) resource.PropertyValue { return str(c.physical()) }},
	"aws:sqs/queue:Queue": {"url": func(c created) resource.PropertyValue {
		return str(fmt.Sprintf("https://sqs.us-east-1.amazonaws.com/%s/%s", account, c.physical()))
	}},
	"aws:acm/certificate:Certificate": {"domainValidationOptions": func(c created) resource.PropertyValue {
		domain := c.input("domainName")
		return arr(obj(
			"domainName", str(domain),
			"resourceRecordName", str(fmt.Sprintf("_%s.%s.", shortHash(domain), domain)),
			"resourceRecordType", str("CNAME"),
			"resourceRecordValue", str(fmt.Sprintf("_%s.acm-validations.aws.", shortHash(c.physical()))),
		))
	}},
	"aws:route53/record:Record": {"fqdn": func(c created) resource.PropertyValue { return str(c.input("name")) }},
	"gcp:container/cluster:Cluster": {
		"endpoint":   func(c created) resource.PropertyValue { return str(fmt.Sprintf("35.%d.0.1", hashByte(string(c.urn)))) },
		"masterAuth": func(created) resource.PropertyValue { return obj("clusterCaCertificate", str("TU9DSy1DQQ==")) },
	},
	"gcp:serviceaccount/account:Account": {
		"email": func(c created) resource.PropertyValue {
			return str(fmt.Sprintf("%s@%s.iam.gserviceaccount.com", c.input("accountId"), c.input("project")))
		},
		"uniqueId": func(c created) resource.PropertyValue { return str(fmt.Sprintf("1%020d", hashByte(string(c.urn)))) },
		"name": func(c created) resource.PropertyValue {
			return str(fmt.Sprintf("projects/%s/serviceAccounts/%s", c.input("project"), c.input("accountId")))
		},
	},
	"aws:amp/workspace:Workspace": {
		"arn": func(c created) resource.PropertyValue {
			return str(fmt.Sprintf("arn:aws:aps:us-east-1:%s:workspace/ws-%s", account, shortHash(string(c.urn))))
		},
		"prometheusEndpoint": func(c created) resource.PropertyValue {
			return str(fmt.Sprintf("https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-%s/", shortHash(string(c.urn))))
		},
	},
	"aws:amp/scraper:Scraper": {"roleArn": func(c created) resource.PropertyValue {
		return str(fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_%s", account, shortHash(string(c.urn))))
	}},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {"arn": func(c created) resource.PropertyValue {
		return str(fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", account, strings.TrimPrefix(c.input("url"), "https://")))
	}},
	"gcp:iam/workloadIdentityPool:WorkloadIdentityPool": {"name": func(c created) resource.PropertyValue {
		return str(fmt.Sprintf("projects/200000000000/locations/global/workloadIdentityPools/%s", c.input("workloadIdentityPoolId")))
	}},
	"gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {"name": func(c created) resource.PropertyValue {
		return str(fmt.Sprintf("projects/200000000000/locations/global/workloadIdentityPools/%s/providers/%s", c.input("workloadIdentityPoolId"), c.input("workloadIdentityPoolProviderId")))
	}},
	"gcp:storage/transferJob:TransferJob": {"name": func(c created) resource.PropertyValue {
		return str("transferJobs/" + shortHash(string(c.urn)))
	}},
	"kubernetes:core/v1:Service": {"status": func(c created) resource.PropertyValue {
		if spec := c.inputs["spec"]; !spec.IsObject() || spec.ObjectValue()["type"] != str("LoadBalancer") {
			return obj()
		}
		// EKS reports an NLB hostname, GKE an IP address; the stand-in cannot tell them apart.
		host := fmt.Sprintf("%s-%s.elb.us-east-1.amazonaws.com", c.urn.Name(), shortHash(string(c.urn)))
		return obj("loadBalancer", obj("ingress", arr(obj("hostname", str(host)))))
	}},
}

// genericComputed are computed for every resource of a cloud package.
func genericComputed(pkg string) map[string]computer {
	switch pkg {
	case "aws":
		return map[string]computer{
			"arn": func(c created) resource.PropertyValue {
				return str(fmt.Sprintf("arn:aws:%s:us-east-1:%s:%s", c.urn.Type().Module().Name(), account, c.physical()))
			},
			"name": func(c created) resource.PropertyValue { return str(c.physical()) },
		}
	case "gcp":
		return map[string]computer{"name": func(c created) resource.PropertyValue { return str(c.physical()) }}
	default:
		return nil
	}
}

// withComputed is the resource's state: its inputs, without the provider's own `__` keys,
// plus every computed output it does not set itself, unknown during a preview, kept from the
// old state on update, invented otherwise.
func withComputed(urn resource.URN, inputs, olds resource.PropertyMap, id string, preview bool) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range inputs {
		if !strings.HasPrefix(string(k), "__") {
			out[k] = v
		}
	}
	pkg := string(urn.Type().Package())
	c := created{urn: urn, id: id, inputs: inputs}
	add := func(computers map[string]computer) {
		for key, compute := range computers {
			k := resource.PropertyKey(key)
			if _, set := out[k]; set {
				continue
			}
			switch {
			case preview:
				out[k] = resource.MakeComputed(str(""))
			case olds != nil && olds.HasValue(k):
				out[k] = olds[k]
			default:
				out[k] = compute(c)
			}
		}
	}
	add(computedByType[string(urn.Type())])
	add(genericComputed(pkg))
	return out
}

// checkInputs is what the real providers' Check adds to the inputs it is given.
func checkInputs(pkg, urn string, news resource.PropertyMap, seed []byte) resource.PropertyMap {
	out := news.Copy()
	switch pkg {
	case "kubernetes":
		// pulumi-kubernetes autonames metadata.name as <logical name>-<8 random characters>.
		meta := resource.PropertyMap{}
		if m, ok := out["metadata"]; ok && m.IsObject() {
			meta = m.ObjectValue().Copy()
		}
		if _, named := meta["name"]; !named {
			meta["name"] = str(fmt.Sprintf("%s-%s", resource.URN(urn).Name(), shortHash(urn + string(seed))[:8]))
			out["metadata"] = resource.NewObjectProperty(meta)
		}
	case "aws", "gcp":
		// The Terraform bridge records the inputs it filled with schema defaults.
		if _, ok := out["__defaults"]; !ok {
			out["__defaults"] = resource.NewArrayProperty([]resource.PropertyValue{})
		}
	}
	return out
}

// invokes answers the data sources the program calls, by token.
var invokes = map[string]func(args resource.PropertyMap) resource.PropertyMap{
	"gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount": func(args resource.PropertyMap) resource.PropertyMap {
		project := "mock-project"
		if p, ok := args["project"]; ok && p.IsString() {
			project = p.StringValue()
		}
		email := fmt.Sprintf("project-%d@storage-transfer-service.iam.gserviceaccount.com", hashByte(project))
		return resource.PropertyMap{
			"id": str(project), "project": str(project), "email": str(email),
			"member": str("serviceAccount:" + email), "subjectId": str("109876543210987654321"),
		}
	},
	"gcp:organizations/getProject:getProject": func(args resource.PropertyMap) resource.PropertyMap {
		project := "mock-project"
		if p, ok := args["projectId"]; ok && p.IsString() {
			project = p.StringValue()
		}
		return resource.PropertyMap{
			"id": str("projects/" + project), "projectId": str(project), "name": str(project),
			"number": str(fmt.Sprintf("2%011d", hashByte(project))),
		}
	},
	"aws:index/getCallerIdentity:getCallerIdentity": func(resource.PropertyMap) resource.PropertyMap {
		return resource.PropertyMap{
			"id": str(account), "accountId": str(account),
			"arn": str(fmt.Sprintf("arn:aws:iam::%s:role/ci-deploy", account)), "userId": str("AROASTANDIN:deploy"),
		}
	},
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:10]
}

func hashByte(s string) int {
	sum := sha256.Sum256([]byte(s))
	return int(sum[0])
}
